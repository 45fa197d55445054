/**
 * Which config keys LXD knows, per kind of object: a key outside them is a typo (or a key of
 * another network type, storage driver or instance type) that LXD would refuse with a bare 400
 * ("Unknown configuration key", "Invalid option"), so the loader reports it at the key, with a
 * did-you-mean, before anything is sent.
 *
 * The key names come from one table, lxd-config-keys.ts, generated from LXD's configuration.json
 * (scripts/gen-config-keys.mjs). That file describes a NEWER LXD than the 5.0.2 daemon here, so:
 *  - keys of newer LXD releases are accepted here (Incus and newer LXD take them): on 5.0.2 the
 *    error then comes from LXD at apply (e.g. security.protection.start, limits.cpu.nodes,
 *    bgp.peers.*.holdtime, a pool's source.recover). Telling them apart needs the server's API
 *    extensions: not done offline;
 *  - keys 5.0.2 accepts that the file no longer lists are added (lxd-config-keys-5.0.ts), each checked
 *    on the 5.0.2 daemon (December 2026: a profile and a container in a throwaway project, a
 *    bridge, macvlan, sriov and physical network, a dir pool and a volume on it). Keys only Incus
 *    knows (it forked from LXD 5.x) are not in either: a manifest for Incus using one is refused.
 *
 * Free namespaces (any key under them is the user's or LXD's own), from LXD's key checkers:
 *  - every kind: user.* (on the server, newer LXD only: 5.0.2 answers "unknown key");
 *  - instances: environment.*, limits.kernel.* (LXD 5.0.2's ConfigKeyChecker), linux.sysctl.*
 *    (containers), cloud-init.ssh-keys.*, and LXD's own volatile.* and image.* (LXD refuses
 *    these two on profiles: "Volatile keys can only be set on instances");
 *  - storage pools: volume.KEY for every volume key of the driver (the defaults of new volumes),
 *    and volume.size.
 * Values: the type of network, pool and volume keys LXD documents as bool or integer is checked
 * here; instance keys by validateConfigValue (limits.ts, units.ts BOOL_KEYS / INT_KEYS, which
 * come from this table too), server keys by server.ts, project keys by project-keys.ts.
 */
import { didYouMean } from '../manifest/hints.js';
import { INSTANCE_KEYS, NETWORK_KEYS, POOL_KEYS, SERVER_KEYS, VOLUME_KEYS, type LxdKeyInfo, type LxdKeyTable } from './lxd-config-keys.js';
import { LXD_5_0_INSTANCE, LXD_5_0_NETWORK, LXD_5_0_POOL, LXD_5_0_SERVER } from './lxd-config-keys-5.0.js';
import { parseBool, parseInt64 } from './units.js';

/** The object a config belongs to: what decides which keys it may have. */
export type ConfigOwner =
  | { kind: 'instance'; type?: 'container' | 'virtual-machine' }
  | { kind: 'profile' }
  | { kind: 'network'; type: string }
  | { kind: 'storage_pool'; driver: string }
  /** driver: the pool's, when the manifests declare the pool; else any driver's volume keys count. */
  | { kind: 'storage_volume'; driver?: string }
  | { kind: 'server' };

/** A table with its "*" keys compiled; concrete names listed for the did-you-mean. */
interface Compiled {
  exact: ReadonlyMap<string, LxdKeyInfo>;
  patterns: ReadonlyArray<[RegExp, LxdKeyInfo]>;
  /** The fixed part of the keys that end in a free part ("environment.", "linux.sysctl."). */
  prefixes: readonly string[];
}

function compile(...tables: LxdKeyTable[]): Compiled {
  const exact = new Map<string, LxdKeyInfo>();
  const patterns: Array<[RegExp, LxdKeyInfo]> = [];
  const prefixes: string[] = [];
  for (const t of tables) {
    for (const [k, info] of Object.entries(t)) {
      if (!k.includes('*')) exact.set(k, info);
      else patterns.push([new RegExp(`^${k.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`), info]);
      if (k.indexOf('*') === k.length - 1) prefixes.push(k.slice(0, -1));
    }
  }
  return { exact, patterns, prefixes };
}

function lookup(c: Compiled, key: string): LxdKeyInfo | undefined {
  return c.exact.get(key) ?? c.patterns.find(([re]) => re.test(key))?.[1];
}

const USER: LxdKeyTable = { 'user.*': {} };
const instanceTable = compile(INSTANCE_KEYS, LXD_5_0_INSTANCE, USER, { 'limits.kernel.*': {} });
const networkTables = new Map(Object.keys(NETWORK_KEYS).map((t) => [t, compile(NETWORK_KEYS[t], LXD_5_0_NETWORK[t] ?? {}, USER)]));
/** A pool's own keys, and volume.KEY for each volume key of its driver (LXD: the defaults of new volumes). */
const poolTables = new Map(Object.keys(POOL_KEYS).map((d) => {
  const volumeDefaults = Object.fromEntries(Object.entries({ size: {}, ...VOLUME_KEYS[d] }).filter(([k]) => !k.startsWith('volatile.')).map(([k, v]) => [`volume.${k}`, v]));
  return [d, compile(POOL_KEYS[d], LXD_5_0_POOL[d] ?? {}, volumeDefaults, USER)];
}));
const volumeTables = new Map(Object.keys(VOLUME_KEYS).map((d) => [d, compile(VOLUME_KEYS[d], USER)]));
const anyVolumeTable = compile(...Object.values(VOLUME_KEYS), USER);
const serverTable = compile(SERVER_KEYS, LXD_5_0_SERVER, USER);

export interface ConfigKeyProblem {
  /** manifest.schema for a key LXD does not know here, manifest.value for a known key in the wrong place or with a bad value. */
  code: 'manifest.schema' | 'manifest.value';
  message: string;
  hint?: string;
  /** The problem is in the value, not the key. */
  atValue?: boolean;
}

const TYPE_WORD = { container: 'containers', 'virtual-machine': 'virtual machines' } as const;

/** What LXD would refuse in `key: value` of a config owned by `owner` (named `label` in messages, e.g. `instance "web-1"`), or undefined. */
export function configKeyProblem(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined {
  switch (owner.kind) {
    case 'instance':
    case 'profile': {
      if (key.startsWith('volatile.') || key.startsWith('image.')) {
        if (owner.kind === 'instance') return undefined; // LXD's own: never compared (instance-keys.ts isServerComputedKey)
        const what = key.startsWith('volatile.') ? 'volatile.*' : 'image.*';
        return { code: 'manifest.value', message: `${what} keys are set on instances only, not in a profile: "${key}" of ${label} (LXD: "${what === 'volatile.*' ? 'Volatile' : 'Image'} keys can only be set on instances")`, hint: 'move it to the instances that need it' };
      }
      const info = lookup(instanceTable, key);
      if (!info) return unknown(key, label, instanceTable, instanceHint(key));
      if (owner.kind === 'instance' && owner.type && info.only && info.only !== owner.type && !key.startsWith('limits.')) {
        // limits.* of the wrong type are reported by the limits check (normalise.ts).
        return { code: 'manifest.value', message: `${key} applies to ${TYPE_WORD[info.only]} only, and ${label} is a ${owner.type} (LXD: "Unknown configuration key")`, hint: `remove it here, or set it in a profile used only by ${TYPE_WORD[info.only]}` };
      }
      return undefined; // values: validateConfigValue
    }
    case 'network': {
      const table = networkTables.get(owner.type);
      if (!table) return undefined; // an unknown type: the schema reports it
      const info = lookup(table, key);
      if (!info) return unknown(key, label, table, elsewhere(key, networkTables, (t) => `${key} is a key of ${t} networks`) ?? `free-form keys go under user.*`, `network type ${owner.type}`);
      return valueProblem(key, value, info);
    }
    case 'storage_pool': {
      const table = poolTables.get(owner.driver);
      if (!table) return undefined;
      const info = lookup(table, key);
      if (!info) {
        const other = elsewhere(key, poolTables, (d) => `${key} is a key of ${d} pools`);
        const vol = lookup(anyVolumeTable, key) ? `${key} is a volume key: give it to the volumes, or as volume.${key} here (the default of new volumes)` : undefined;
        return unknown(key, label, table, other ?? vol ?? 'free-form keys go under user.*', `driver ${owner.driver}`);
      }
      return valueProblem(key, value, info);
    }
    case 'storage_volume': {
      const table = owner.driver ? volumeTables.get(owner.driver) : anyVolumeTable;
      if (!table) return undefined;
      const info = lookup(table, key);
      if (!info) {
        const other = owner.driver ? elsewhere(key, volumeTables, (d) => `${key} is a key of volumes on ${d} pools`) : undefined;
        return unknown(key, label, table, other ?? 'free-form keys go under user.*', owner.driver ? `on a ${owner.driver} pool` : undefined);
      }
      return valueProblem(key, value, info);
    }
    case 'server':
      return lookup(serverTable, key) ? undefined : unknown(key, label, serverTable, 'server keys are core.*, images.*, cluster.*, storage.*, network.ovn.*, ... (lxc config set); free-form keys go under user.*');
  }
}

function unknown(key: string, label: string, table: Compiled, fallback: string | undefined, context?: string): ConfigKeyProblem {
  return {
    code: 'manifest.schema',
    message: `unknown config key "${key}" for ${label}${context ? ` (${context})` : ''}`,
    hint: didYouMean(key, candidates(key, table)) ?? fallback,
  };
}

/** The table's keys, and for each free namespace the key with its fixed part put right ("enviroment.TZ" -> "environment.TZ"). */
function candidates(key: string, table: Compiled): string[] {
  const parts = key.split('.');
  const spelled = table.prefixes.map((p) => p + parts.slice(p.split('.').length - 1).join('.')).filter((c) => !c.endsWith('.'));
  return [...table.exact.keys(), ...spelled];
}

function instanceHint(key: string): string {
  if (key.startsWith('limits.kernel.')) return 'limits.kernel.* takes a resource name, such as limits.kernel.nofile';
  return 'free-form keys go under user.* (environment.* for the environment of the instance\'s processes)';
}

/** `hint(name)` for the first other network type / driver whose table has the key. */
function elsewhere(key: string, tables: ReadonlyMap<string, Compiled>, hint: (name: string) => string): string | undefined {
  const owners = [...tables].filter(([, t]) => lookup(t, key)).map(([n]) => n);
  return owners.length > 0 ? hint(owners.join(', ')) : undefined;
}

function valueProblem(key: string, value: string, info: LxdKeyInfo): ConfigKeyProblem | undefined {
  // ${env:NAME} is read when lxplan runs, after loading (manifest/env.ts).
  if (value === '' || value.includes('${env:')) return undefined;
  if (info.type === 'bool' && parseBool(value) === null) return { code: 'manifest.value', atValue: true, message: `invalid value "${value}" for ${key}: use true or false` };
  if (info.type === 'integer' && parseInt64(value) === null) return { code: 'manifest.value', atValue: true, message: `invalid value "${value}" for ${key}: use a whole number` };
  return undefined;
}
