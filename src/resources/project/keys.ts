/**
 * Project config keys LXD knows, with what their values must be: checked by the loader so a
 * typo ("limits.instance") or a bad value ("ten") is reported with its file:line:col, before LXD
 * answers with a bare 400. The names and bool/integer types come from the key table
 * (lxd-config-keys.ts: LXD's configuration.json, entity "project", which also lists keys of newer
 * LXD: features.networks.zones, features.storage.buckets, limits.disk.pool.*,
 * limits.networks.uplink_ips.*, replica.cluster: kept, LXD 5.0.2 refuses them at apply); the byte
 * sizes are ours (the file types them as strings). Values of restricted.* (block, allow, managed,
 * ...) are left to LXD.
 */
import { didYouMean } from '../../manifest/hints.js';
import { PROJECT_KEYS as LXD_PROJECT_KEYS } from '../lxd-config-keys.js';
import { parseBool, parseByteSizeBig, parseInt64 } from '../units.js';

type ValueKind = 'bool' | 'int' | 'size' | 'text';

/** Keys whose value is a byte size (LXD: units.ParseByteSizeString). */
const SIZES = new Set(['limits.disk', 'limits.memory', 'limits.disk.pool.*']);

function kindFor(key: string): ValueKind {
  const t = LXD_PROJECT_KEYS[key].type;
  return SIZES.has(key) ? 'size' : t === 'bool' ? 'bool' : t === 'integer' ? 'int' : 'text';
}

export const PROJECT_KEYS: Readonly<Record<string, ValueKind>> = Object.fromEntries(
  Object.keys(LXD_PROJECT_KEYS)
    .filter((k) => !k.includes('*'))
    .map((k) => [k, kindFor(k)]),
);

/** Keys with a free part: limits.disk.pool.POOL, limits.networks.uplink_ips.ipv4.NETWORK, user.* */
const PATTERNS: ReadonlyArray<[RegExp, ValueKind]> = Object.keys(LXD_PROJECT_KEYS)
  .filter((k) => k.includes('*'))
  .map((k) => [
    new RegExp(
      `^${k
        .split('*')
        .map((s) => s.replace(/\./g, '\\.'))
        .join('.+')}$`,
    ),
    kindFor(k),
  ]);

function kindOf(key: string): ValueKind | undefined {
  return PROJECT_KEYS[key] ?? PATTERNS.find(([re]) => re.test(key))?.[1];
}

/** Whether LXD knows the project key (its value may still be wrong). */
export function isProjectKey(key: string): boolean {
  return kindOf(key) !== undefined;
}

/** What is wrong with project config `key: value`, or undefined. */
export function projectKeyProblem(key: string, value: string): string | undefined {
  const kind = kindOf(key);
  if (!kind) return `unknown project config key "${key}"`;
  if (value === '') return undefined;
  if (kind === 'bool' && parseBool(value) === null) return `invalid value "${value}" for ${key}: use "true" or "false"`;
  if (kind === 'int' && (parseInt64(value) === null || parseInt64(value)! < 0n)) return `invalid value "${value}" for ${key}: use a whole number (0 or more)`;
  if (kind === 'size' && parseByteSizeBig(value) === null) return `invalid value "${value}" for ${key}: use a size with a unit like 10GB or 10GiB`;
  return undefined;
}

/** A "did you mean" for an unknown key; the rule for the others. */
export function projectKeyHint(key: string): string | undefined {
  if (!kindOf(key))
    return (
      didYouMean(key, Object.keys(PROJECT_KEYS)) ??
      'project keys are features.*, limits.*, restricted.*, images.*, backups.* and user.* (LXD\'s configuration.json, "project")'
    );
  if (key.startsWith('features.')) return 'features are "true" or "false"; LXD changes them only while the project is empty';
  return undefined;
}
