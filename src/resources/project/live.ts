/**
 * How projects are read from LXD: one list (recursion=1), without a project scope, before every
 * other kind (readLiveIn): where the other kinds live depends on the projects' features.
 */
import type { LiveKind } from '../live-kind.js';

export const projectLive: LiveKind = {
  where: 'global',
  read: async (r) => ({ projects: Object.fromEntries((await r.client.listProjects()).map((p) => [p.name, p])) }),
  none: () => ({}),
  scoping: {
    exists: (s, name) => (s.projects === undefined ? undefined : s.projects[name] !== undefined),
    config: (s, m, name) => s.projects?.[name]?.config ?? m.projects?.[name]?.config,
  },
};
