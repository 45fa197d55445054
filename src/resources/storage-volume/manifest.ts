/** How `storage_volumes:` is read from the manifests (src/manifest/kind.ts): custom volumes keyed "POOL/VOLUME". */
import type { Node } from 'yaml';
import { LxplanError } from '../../errors.js';
import type { KindManifest } from '../../manifest/kind.js';
import { formatLocation } from '../../manifest/parse.js';
import type { Manifest } from '../types.js';
import { parseByteSizeBig } from '../units.js';
import { volumeKeyProblem } from './config-keys.js';
import { splitVolumeName, type DesiredStorageVolume } from './types.js';

const WHAT = 'custom volume';

/** A custom volume is keyed "POOL/VOLUME"; each part ends up in paths (LXD 5.0.2 takes a volume called "..", lxplan does not). */
function volumeNameProblem(name: string): string | null {
  if (name.length === 0) return `invalid ${WHAT} "": names must not be empty`;
  const parts = name.split('/');
  if (parts.length !== 2 || parts.some((p) => p === '')) return `invalid ${WHAT} "${name}": write the key as POOL/VOLUME, e.g. default/data`;
  return parts.map((p, i) => partProblem(name, p, i === 0 ? 'pool' : 'volume')).find((x) => x !== null) ?? null;
}

function partProblem(name: string, part: string, which: 'pool' | 'volume'): string | null {
  if (/\s/.test(part)) return `invalid ${WHAT} "${name}": the ${which} name must not contain spaces`;
  if (part === '.' || part === '..') return `invalid ${WHAT} "${name}": "." and ".." are not ${which} names`;
  return null;
}

/**
 * The config keys of a custom volume against the driver of its pool, once the files are merged:
 * the normaliser knows only the volume's own file, so it checks against the keys of any
 * driver's volumes; here a volume of a pool the manifests declare is checked against that
 * pool's driver ("zfs.blocksize" on a volume of a dir pool). A pool only LXD has (such as
 * "default") has no known driver offline: its volumes keep the first check only.
 */
function checkVolumeKeysByDriver(m: Manifest): LxplanError[] {
  const out: LxplanError[] = [];
  for (const v of Object.values(m.storageVolumes)) {
    const driver = m.storagePools[v.pool]?.driver;
    if (!driver) continue;
    for (const [k, value] of Object.entries(v.config)) {
      // Unknown to every driver: reported by the normaliser already.
      if (volumeKeyProblem({ kind: 'storage_volume' }, '', k, value)) continue;
      const p = volumeKeyProblem({ kind: 'storage_volume', driver }, `storage_volume "${v.name}"`, k, value);
      if (p) out.push(new LxplanError(p.code, p.message, { location: v.keyAt?.[`config.${k}`] ?? v.at, ...(p.hint ? { hint: p.hint } : {}) }));
    }
  }
  return out;
}

export const storageVolumeManifest: KindManifest<DesiredStorageVolume> = {
  section: 'storage_volumes',
  /** `size:` is the short form of config: {size: ...}. */
  normalise(r, name, at) {
    const { pool, volume } = splitVolumeName(name);
    const contentType = r.text('content_type') === 'block' ? 'block' : 'filesystem';
    const description = r.text('description') ?? '';
    const valueNodes = new Map<string, Node | null>();
    const config = r.plainConfig(valueNodes);
    const size = r.text('size');
    if (size !== undefined) {
      if ('size' in config) {
        r.errors.push(
          new LxplanError(
            'manifest.value',
            `the size of ${r.owner} is given twice: size: at ${formatLocation(r.keyAt.size)} and in config: at ${formatLocation(r.keyAt['config.size'])}`,
            {
              location: r.keyAt.size,
              hint: 'keep one of them (size: 10GB is the short form of config: {size: 10GB})',
            },
          ),
        );
      } else {
        config.size = size;
        valueNodes.set('size', r.fields.get('size')!.value);
        r.keyAt['config.size'] = r.keyAt.size;
      }
    }
    if (config.size !== undefined && parseByteSizeBig(config.size) === null) {
      r.valueError(
        `invalid size "${config.size}" of ${r.owner}: a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)`,
        valueNodes.get('size') ?? null,
      );
    }
    // Keys of any driver's volumes here; checkVolumeKeysByDriver checks them against the pool's driver once it knows it.
    r.checkKeys({ kind: 'storage_volume' }, config, valueNodes);
    return { kind: 'storage_volume', name, at, keyAt: r.keyAt, pool, volume, contentType, description, config, ...r.sensitive() };
  },
  store(m, objects) {
    m.storageVolumes = objects;
  },
  nameProblem: volumeNameProblem,
  references: (v) => [{ kind: 'storage_pool', name: v.pool, at: v.at }],
  referenced: { known: 'storageVolumes', word: 'custom volume', hint: 'define it under storage_volumes:, or create it in LXD first' },
  configKeyProblem: volumeKeyProblem,
  envConfig: true,
  checks: [checkVolumeKeysByDriver],
};
