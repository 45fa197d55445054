/** How storage pools are read from LXD: one list (recursion=1); global, every project sees them. */
import type { LiveKind } from '../live-kind.js';
import { readPoolMembers } from './members.js';

export const storagePoolLive: LiveKind = {
  where: 'global',
  // On a cluster, each member's own keys of each pool too (members.ts); the members come with the instances' read.
  read: async (r) => {
    const [pools, { cluster }] = await Promise.all([r.client.listStoragePools(), r.of('instance')]);
    const perMember = await readPoolMembers(
      r.client,
      pools.map((p) => p.name),
      cluster && Object.keys(cluster.members),
    );
    return { storagePools: Object.fromEntries(pools.map((p) => [p.name, p])), ...(perMember ? { storagePoolMembers: perMember } : {}) };
  },
  none: () => ({ storagePools: {} }),
};
