/** The config keys of custom volumes, per driver of their pool (src/resources/config-keys.ts). */
import { compile, elsewhere, lookup, unknown, USER, valueProblem, type Compiled, type ConfigKeyProblem, type ConfigOwner } from '../config-keys.js';
import { VOLUME_KEYS } from '../lxd-config-keys.js';

let tables: ReadonlyMap<string, Compiled> | undefined;
let any: Compiled | undefined;
/** Compiled on first use (the registry imports this file while config-keys.ts may still be loading). */
const volumeTables = () => (tables ??= new Map(Object.keys(VOLUME_KEYS).map((d) => [d, compile(VOLUME_KEYS[d], USER)])));
/** The keys of any driver's volumes. */
export const anyVolumeTable = () => (any ??= compile(...Object.values(VOLUME_KEYS), USER));

/** owner.driver: the pool's, when the manifests declare the pool; else any driver's volume keys count. */
export function volumeKeyProblem(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined {
  const table = owner.driver ? volumeTables().get(owner.driver) : anyVolumeTable();
  if (!table) return undefined;
  const info = lookup(table, key);
  if (!info) {
    const other = owner.driver ? elsewhere(key, volumeTables(), (d) => `${key} is a key of volumes on ${d} pools`) : undefined;
    return unknown(key, label, table, other ?? 'free-form keys go under user.*', owner.driver ? `on a ${owner.driver} pool` : undefined);
  }
  return valueProblem(key, value, info);
}
