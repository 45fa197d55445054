/** How networks are read from LXD: one list (recursion=1); in the project with features.networks, else in the default project. */
import type { LiveKind } from '../live-kind.js';

export const networkLive: LiveKind = {
  where: 'features.networks',
  // Host interfaces (eth0, lo ...) are only reported by LXD: not objects it manages.
  read: async (r) => ({ networks: Object.fromEntries((await r.client.listNetworks()).filter((n) => n.managed).map((n) => [n.name, n])) }),
  none: () => ({ networks: {} }),
};
