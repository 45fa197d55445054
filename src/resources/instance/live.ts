/**
 * How instances are read from LXD: one list (recursion=1), always in their project. An instance
 * may live in another project than the scope (`project:`).
 */
import type { LiveKind } from '../live-kind.js';

export const instanceLive: LiveKind = {
  where: 'project',
  read: async (r) => ({ instances: Object.fromEntries((await r.client.listInstances()).map((i) => [i.name, i])) }),
  none: () => ({ instances: {} }),
  perObjectProject: {
    has: (s, name) => name in s.instances,
    takeFrom(live, there, names) {
      const instances = { ...live.instances };
      for (const n of names) {
        delete instances[n];
        const l = there?.instances[n];
        if (l) instances[n] = l;
      }
      return { ...live, instances };
    },
  },
};
