/**
 * What differs for projects between the daemons lxplan talks to (LXD 5.0.2, Incus 6.0.4: see
 * docs/incus.md), in one place:
 *
 *  - the features a daemon turns on when a new project leaves them out: both turn on
 *    features.images, features.profiles and features.storage.volumes; a daemon with storage
 *    buckets (API extension "storage_buckets": Incus 6.0, LXD from 5.5) turns on
 *    features.storage.buckets too. Such a key is the daemon's unless the manifest declares it,
 *    and every write sends it back (a PUT without it asks to turn it off, which a project with
 *    content refuses);
 *  - project keys that need an API extension: declaring one on a daemon without it is a
 *    plan-time error naming the extension (LXD 5.0.2 has none of the three below).
 */
import type { LxplanError } from '../../errors.js';
import { LxplanError as Err } from '../../errors.js';
import { extensionsOf, missingExtension, type ServerInfo } from '../../lxd/server.js';
import type { LxdServer } from '../../lxd/types.js';
import type { Manifest } from '../types.js';

/** The features every daemon turns on when a new project leaves them out. */
export const BASE_FEATURES: readonly string[] = ['features.images', 'features.profiles', 'features.storage.volumes'];

/** Features a daemon turns on for a new project when it has the extension. */
const FEATURES_BY_EXTENSION: ReadonlyArray<[feature: string, extension: string]> = [['features.storage.buckets', 'storage_buckets']];

/** The features the connected daemon turns on by itself (server undefined: not read, LXD 5.0.2's). */
export function defaultFeatures(server: LxdServer | ServerInfo | undefined): string[] {
  const ext = extensionsOf(server);
  return [...BASE_FEATURES, ...FEATURES_BY_EXTENSION.filter(([, e]) => ext.has(e)).map(([f]) => f)];
}

/** Project keys (or key patterns, `*` a free part) that need an API extension. */
const KEY_EXTENSIONS: ReadonlyArray<[key: string, extension: string]> = [
  ['features.storage.buckets', 'storage_buckets'],
  ['features.networks.zones', 'projects_networks_zones'],
  ['limits.disk.pool.*', 'projects_limits_disk_pool'],
];

function extensionFor(key: string): string | undefined {
  return KEY_EXTENSIONS.find(([k]) => (k.endsWith('*') ? key.startsWith(k.slice(0, -1)) : key === k))?.[1];
}

/** The declared project keys the connected daemon cannot take: one error each, at the key. */
export function checkProjectKeys(m: Manifest, server: LxdServer | undefined): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const d of Object.values(m.projects ?? {})) {
    for (const key of Object.keys(d.config)) {
      const extension = extensionFor(key);
      const why = extension && missingExtension(server, extension, `project "${d.name}": config key ${key}`);
      if (why)
        errors.push(
          new Err('manifest.value', why, {
            location: d.keyAt?.[`config.${key}`] ?? d.at,
            hint: 'remove the key, or apply these manifests to a daemon that has the extension (Incus 6.0, a newer LXD)',
          }),
        );
    }
  }
  return errors;
}
