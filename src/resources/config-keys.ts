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
 * with the key (valueProblem); instance keys by validateConfigValue (limits.ts, units.ts BOOL_KEYS /
 * INT_KEYS, which come from this table too), server keys by server/spec.ts, project keys by project/keys.ts.
 *
 * Each kind's own tables and rules are in its folder (<kind>/config-keys.ts), its KindManifest's
 * configKeyProblem; this file has what they share and the dispatch by kind.
 */
import { didYouMean } from '../manifest/hints.js';
import type { LxdKeyInfo, LxdKeyTable } from './lxd-config-keys.js';
import { registry } from './registry.js';
import type { Kind } from './types.js';
import { parseBool, parseInt64 } from './units.js';

/** The object a config belongs to: what decides which keys it may have (an instance's type, a network's type, a pool's driver). */
export interface ConfigOwner {
  kind: Kind;
  /** An instance's type (absent: any), a network's type. */
  type?: string;
  /** A pool's driver; for a volume the pool's, when the manifests declare the pool (else any driver's volume keys count). */
  driver?: string;
}

/** A table with its "*" keys compiled; concrete names listed for the did-you-mean. */
export interface Compiled {
  exact: ReadonlyMap<string, LxdKeyInfo>;
  patterns: ReadonlyArray<[RegExp, LxdKeyInfo]>;
  /** The fixed part of the keys that end in a free part ("environment.", "linux.sysctl."). */
  prefixes: readonly string[];
}

export function compile(...tables: LxdKeyTable[]): Compiled {
  const exact = new Map<string, LxdKeyInfo>();
  const patterns: Array<[RegExp, LxdKeyInfo]> = [];
  const prefixes: string[] = [];
  for (const t of tables) {
    for (const [k, info] of Object.entries(t)) {
      if (!k.includes('*')) exact.set(k, info);
      else
        patterns.push([
          new RegExp(
            `^${k
              .split('*')
              .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('.+')}$`,
          ),
          info,
        ]);
      if (k.indexOf('*') === k.length - 1) prefixes.push(k.slice(0, -1));
    }
  }
  return { exact, patterns, prefixes };
}

export function lookup(c: Compiled, key: string): LxdKeyInfo | undefined {
  return c.exact.get(key) ?? c.patterns.find(([re]) => re.test(key))?.[1];
}

/** user.*: free-form keys of every kind. */
export const USER: LxdKeyTable = { 'user.*': {} };

export interface ConfigKeyProblem {
  /** manifest.schema for a key LXD does not know here, manifest.value for a known key in the wrong place or with a bad value. */
  code: 'manifest.schema' | 'manifest.value';
  message: string;
  hint?: string;
  /** The problem is in the value, not the key. */
  atValue?: boolean;
}

/** What LXD would refuse in `key: value` of a config owned by `owner` (named `label` in messages, e.g. `instance "web-1"`), or undefined. */
export function configKeyProblem(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined {
  return registry.find((e) => e.kind === owner.kind)?.manifest.configKeyProblem?.(owner, label, key, value);
}

export function unknown(key: string, label: string, table: Compiled, fallback: string | undefined, context?: string): ConfigKeyProblem {
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

/** `hint(name)` for the first other network type / driver whose table has the key. */
export function elsewhere(key: string, tables: ReadonlyMap<string, Compiled>, hint: (name: string) => string): string | undefined {
  const owners = [...tables].filter(([, t]) => lookup(t, key)).map(([n]) => n);
  return owners.length > 0 ? hint(owners.join(', ')) : undefined;
}

export function valueProblem(key: string, value: string, info: LxdKeyInfo): ConfigKeyProblem | undefined {
  // ${env:NAME} is read when lxplan runs, after loading (manifest/env.ts).
  if (value === '' || value.includes('${env:')) return undefined;
  if (info.type === 'bool' && parseBool(value) === null)
    return { code: 'manifest.value', atValue: true, message: `invalid value "${value}" for ${key}: use true or false` };
  if (info.type === 'integer' && parseInt64(value) === null)
    return { code: 'manifest.value', atValue: true, message: `invalid value "${value}" for ${key}: use a whole number` };
  return undefined;
}
