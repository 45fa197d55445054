/** The config keys of storage pools, per driver (src/resources/config-keys.ts): its own, and volume.KEY for each volume key of its driver. */
import { compile, elsewhere, lookup, unknown, USER, valueProblem, type Compiled, type ConfigKeyProblem, type ConfigOwner } from '../config-keys.js';
import { POOL_KEYS, VOLUME_KEYS } from '../lxd-config-keys.js';
import { LXD_5_0_POOL } from '../lxd-config-keys-5.0.js';
import { anyVolumeTable } from '../storage-volume/config-keys.js';

let tables: ReadonlyMap<string, Compiled> | undefined;
/** A pool's own keys, and volume.KEY for each volume key of its driver (LXD: the defaults of new volumes); compiled on first use. */
const poolTables = () =>
  (tables ??= new Map(
    Object.keys(POOL_KEYS).map((d) => {
      const volumeDefaults = Object.fromEntries(
        Object.entries({ size: {}, ...VOLUME_KEYS[d] })
          .filter(([k]) => !k.startsWith('volatile.'))
          .map(([k, v]) => [`volume.${k}`, v]),
      );
      return [d, compile(POOL_KEYS[d], LXD_5_0_POOL[d] ?? {}, volumeDefaults, USER)];
    }),
  ));

export function poolKeyProblem(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined {
  const table = poolTables().get(owner.driver ?? '');
  if (!table) return undefined;
  const info = lookup(table, key);
  if (!info) {
    const other = elsewhere(key, poolTables(), (d) => `${key} is a key of ${d} pools`);
    const vol = lookup(anyVolumeTable(), key)
      ? `${key} is a volume key: give it to the volumes, or as volume.${key} here (the default of new volumes)`
      : undefined;
    return unknown(key, label, table, other ?? vol ?? 'free-form keys go under user.*', `driver ${owner.driver}`);
  }
  return valueProblem(key, value, info);
}
