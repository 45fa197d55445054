/** How profiles are read from LXD: one list (recursion=1); in the project with features.profiles, else in the default project. */
import { daemonWord } from '../../lxd/server.js';
import type { LxdProfile, LxdServer } from '../../lxd/types.js';
import type { LiveKind } from '../live-kind.js';

/**
 * The default profile the daemon makes with a project (read back after `POST /1.0/projects`):
 * LXD 5.0.2 describes it "Default LXD profile for project P", Incus 6.0 "Default Incus profile
 * for project P" (`server`: GET /1.0; undefined: LXD).
 */
export function newProjectDefaultProfile(project: string, server?: LxdServer): LxdProfile {
  return { name: 'default', description: `Default ${daemonWord(server)} profile for project ${project}`, config: {}, devices: {}, used_by: [] };
}

export const profileLive: LiveKind = {
  where: 'features.profiles',
  read: async (r) => ({ profiles: Object.fromEntries((await r.client.listProfiles()).map((p) => [p.name, p])) }),
  // LXD gives a new project with features.profiles its own default profile.
  none: (project, server) => ({ profiles: { default: newProjectDefaultProfile(project, server) } }),
};
