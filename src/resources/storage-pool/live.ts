/** How storage pools are read from LXD: one list (recursion=1); global, every project sees them. */
import type { LiveKind } from '../live-kind.js';

export const storagePoolLive: LiveKind = {
  where: 'global',
  read: async (r) => ({ storagePools: Object.fromEntries((await r.client.listStoragePools()).map((p) => [p.name, p])) }),
  none: () => ({ storagePools: {} }),
};
