/**
 * The config keys of a custom volume against the driver of its pool, once the files are merged:
 * the normaliser knows only the volume's own file, so it checks against the keys of any
 * driver's volumes; here a volume of a pool the manifests declare is checked against that
 * pool's driver ("zfs.blocksize" on a volume of a dir pool). A pool only LXD has (such as
 * "default") has no known driver offline: its volumes keep the first check only.
 */
import { LxplanError } from '../errors.js';
import { configKeyProblem } from '../resources/config-keys.js';
import type { Manifest } from '../resources/types.js';

export function checkVolumeKeysByDriver(m: Manifest): LxplanError[] {
  const out: LxplanError[] = [];
  for (const v of Object.values(m.storageVolumes)) {
    const driver = m.storagePools[v.pool]?.driver;
    if (!driver) continue;
    for (const [k, value] of Object.entries(v.config)) {
      // Unknown to every driver: reported by the normaliser already.
      if (configKeyProblem({ kind: 'storage_volume' }, '', k, value)) continue;
      const p = configKeyProblem({ kind: 'storage_volume', driver }, `storage_volume "${v.name}"`, k, value);
      if (p) out.push(new LxplanError(p.code, p.message, { location: v.keyAt?.[`config.${k}`] ?? v.at, ...(p.hint ? { hint: p.hint } : {}) }));
    }
  }
  return out;
}
