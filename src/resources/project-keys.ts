/**
 * Project config keys LXD 5.0 knows, with what their values must be: checked by the loader so a
 * typo ("limits.instance") or a bad value ("ten") is reported with its file:line:col, before LXD
 * answers with a bare 400. Source: LXD's configuration.json (its documented config keys), entity
 * "project" (which also lists keys of newer LXD: features.networks.zones,
 * features.storage.buckets, limits.disk.pool.*, limits.networks.uplink_ips.*: kept, LXD 5.0.2
 * refuses them at apply). Values of restricted.* (block, allow, managed, ...) are left to LXD.
 */
import { didYouMean } from '../manifest/hints.js';
import { parseBool, parseByteSizeBig, parseInt64 } from './units.js';

type ValueKind = 'bool' | 'int' | 'size' | 'text';

export const PROJECT_KEYS: Readonly<Record<string, ValueKind>> = {
  'features.images': 'bool',
  'features.networks': 'bool',
  'features.networks.zones': 'bool',
  'features.profiles': 'bool',
  'features.storage.buckets': 'bool',
  'features.storage.volumes': 'bool',
  'limits.containers': 'int',
  'limits.cpu': 'int',
  'limits.disk': 'size',
  'limits.instances': 'int',
  'limits.memory': 'size',
  'limits.networks': 'int',
  'limits.processes': 'int',
  'limits.virtual-machines': 'int',
  restricted: 'bool',
  'restricted.backups': 'text',
  'restricted.cluster.groups': 'text',
  'restricted.cluster.target': 'text',
  'restricted.containers.interception': 'text',
  'restricted.containers.lowlevel': 'text',
  'restricted.containers.nesting': 'text',
  'restricted.containers.privilege': 'text',
  'restricted.devices.disk': 'text',
  'restricted.devices.disk.paths': 'text',
  'restricted.devices.gpu': 'text',
  'restricted.devices.infiniband': 'text',
  'restricted.devices.nic': 'text',
  'restricted.devices.pci': 'text',
  'restricted.devices.proxy': 'text',
  'restricted.devices.unix-block': 'text',
  'restricted.devices.unix-char': 'text',
  'restricted.devices.unix-hotplug': 'text',
  'restricted.devices.usb': 'text',
  'restricted.idmap.gid': 'text',
  'restricted.idmap.uid': 'text',
  'restricted.networks.access': 'text',
  'restricted.networks.subnets': 'text',
  'restricted.networks.uplinks': 'text',
  'restricted.networks.zones': 'text',
  'restricted.snapshots': 'text',
  'restricted.virtual-machines.lowlevel': 'text',
  'backups.compression_algorithm': 'text',
  'images.auto_update_cached': 'bool',
  'images.auto_update_interval': 'int',
  'images.compression_algorithm': 'text',
  'images.default_architecture': 'text',
  'images.remote_cache_expiry': 'int',
};

/** Keys with a free part: limits.disk.pool.POOL, limits.networks.uplink_ips.ipv4.NETWORK, user.* */
const PATTERNS: ReadonlyArray<[RegExp, ValueKind]> = [
  [/^user\..+/, 'text'],
  [/^limits\.disk\.pool\..+/, 'size'],
  [/^limits\.networks\.uplink_ips\.ipv[46]\..+/, 'text'],
];

function kindOf(key: string): ValueKind | undefined {
  return PROJECT_KEYS[key] ?? PATTERNS.find(([re]) => re.test(key))?.[1];
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
  if (!kindOf(key)) return didYouMean(key, Object.keys(PROJECT_KEYS)) ?? 'project keys are features.*, limits.*, restricted.*, images.*, backups.* and user.* (LXD\'s configuration.json, "project")';
  if (key.startsWith('features.')) return 'features are "true" or "false"; LXD changes them only while the project is empty';
  return undefined;
}
