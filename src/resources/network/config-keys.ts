/** The config keys of networks, per network type (src/resources/config-keys.ts). */
import { compile, elsewhere, lookup, unknown, USER, valueProblem, type Compiled, type ConfigKeyProblem, type ConfigOwner } from '../config-keys.js';
import { NETWORK_KEYS } from '../lxd-config-keys.js';
import { LXD_5_0_NETWORK } from '../lxd-config-keys-5.0.js';

let tables: ReadonlyMap<string, Compiled> | undefined;
/** Compiled on first use (the registry imports this file while config-keys.ts may still be loading). */
const networkTables = () => (tables ??= new Map(Object.keys(NETWORK_KEYS).map((t) => [t, compile(NETWORK_KEYS[t], LXD_5_0_NETWORK[t] ?? {}, USER)])));

export function networkKeyProblem(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined {
  const table = networkTables().get(owner.type ?? '');
  if (!table) return undefined; // an unknown type: the schema reports it
  const info = lookup(table, key);
  if (!info)
    return unknown(
      key,
      label,
      table,
      elsewhere(key, networkTables(), (t) => `${key} is a key of ${t} networks`) ?? `free-form keys go under user.*`,
      `network type ${owner.type}`,
    );
  return valueProblem(key, value, info);
}
