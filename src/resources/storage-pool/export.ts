/**
 * How a storage pool is exported (lxplan export): driver, description, own config.
 *
 * A key the daemon filled in with its own default is left out, as the user who made the pool
 * left it out: the `source` of a dir pool is `$DIR/storage-pools/NAME`, and `$DIR` is the
 * daemon's own directory (/var/lib/lxd, the snap's /var/snap/lxd/common/lxd, /var/lib/incus).
 * Written out, it pins the export to that daemon: applied on another one (LXD's export on Incus),
 * the declared source differs from the pool there, `source` is fixed at creation, and the plan
 * replaces the pool, which the daemon refuses while anything uses it (the `default` pool always
 * is). Left out, the pool is the daemon's own default wherever the export is applied.
 */
import type { LxdStoragePool } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { ownConfig } from '../export-config.js';

/** Whether `key: value` is what the daemon fills in for pool `p` when the key is left out. */
export function isDaemonDefault(p: LxdStoragePool, key: string, value: string): boolean {
  if (key !== 'source' || p.driver !== 'dir') return false;
  return value.endsWith(`/storage-pools/${p.name}`);
}

export const storagePoolExport: KindExport<LxdStoragePool> = {
  section: 'storage_pools',
  entry: (p) => ({
    driver: p.driver,
    ...(p.description ? { description: p.description } : {}),
    ...ownConfig(Object.fromEntries(Object.entries(p.config ?? {}).filter(([k, v]) => !isDaemonDefault(p, k, v)))),
  }),
};
