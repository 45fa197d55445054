/** How profiles are read from LXD: one list (recursion=1); in the project with features.profiles, else in the default project. */
import type { LxdProfile } from '../../lxd/types.js';
import type { LiveKind } from '../live-kind.js';

/** The default profile LXD 5.0.2 makes with a project (read back after `POST /1.0/projects`). */
export function newProjectDefaultProfile(project: string): LxdProfile {
  return { name: 'default', description: `Default LXD profile for project ${project}`, config: {}, devices: {}, used_by: [] };
}

export const profileLive: LiveKind = {
  where: 'features.profiles',
  read: async (r) => ({ profiles: Object.fromEntries((await r.client.listProfiles()).map((p) => [p.name, p])) }),
  // LXD gives a new project with features.profiles its own default profile.
  none: (project) => ({ profiles: { default: newProjectDefaultProfile(project) } }),
};
