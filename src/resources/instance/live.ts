/**
 * How instances are read from LXD: one list (recursion=1), always in their project. An instance
 * may live in another project than the scope (`project:`).
 */
import type { LiveKind } from '../live-kind.js';
import { readCluster } from './cluster.js';

export const instanceLive: LiveKind = {
  where: 'project',
  // On a cluster, the members and their groups: one request more, whatever the number of instances (cluster.ts).
  read: async (r) => {
    const [list, cluster] = await Promise.all([r.client.listInstances(), r.of('server').then((s) => readCluster(r.client, s.server))]);
    return { instances: Object.fromEntries(list.map((i) => [i.name, i])), ...(cluster ? { cluster } : {}) };
  },
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
