/**
 * The typed `limits:` block of the manifest: which limit keys exist, what values each takes,
 * and whether it applies to containers, VMs or both. `limits: {memory: 512MB}` is just a
 * friendlier spelling of `config: {limits.memory: 512MB}`; having a table lets the loader
 * catch a typo ("did you mean memory?") or a bad value (12XB) with a location, before LXD
 * answers with a bare 400.
 *
 * Source: LXD's configuration metadata (shared/reference/lxd/configuration.json, entity
 * "instance", group "resource-limits"), checked against LXD's validators in
 * lxd/instance/instancetype/instance.go. Two deliberate differences from that file:
 *  - `network.priority` is included: LXD 5.0 (the daemon lxplan targets) has
 *    limits.network.priority (0-10); newer LXD dropped it, so the metadata lacks it.
 *  - `cpu.pin_strategy` and `max_bus_ports` (VM only) are left out: LXD 5.0 rejects them;
 *    on a newer LXD they can still be set under `config:`.
 * And one lxplan addition: `disk`, the root disk size. LXD has no limits.disk instance key;
 * the size lives on the root disk device, so the loader moves it there (see manifest-config.ts).
 */
import { closest, distance } from 'fastest-levenshtein';
import { BOOL_KEYS, INT_KEYS, parseBool, parseByteSizeBig, parseCpuAllowance, parseCpuLimit, parseCpuSet, parseInt64, parsePercent } from '../units.js';

export type LimitKind = 'size' | 'size-or-percent' | 'cpu' | 'cpuset' | 'allowance' | 'int' | 'int0-10' | 'bool' | 'enum';
export type AppliesTo = 'container' | 'vm' | 'both';

export interface LimitSpec {
  description: string;
  kind: LimitKind;
  /** For kind 'enum': the accepted values. */
  values?: readonly string[];
  appliesTo: AppliesTo;
}

/** Limit keys without the `limits.` prefix. */
export const LIMITS: Readonly<Record<string, LimitSpec>> = {
  cpu: {
    kind: 'cpu',
    appliesTo: 'both',
    description: 'CPUs to expose: a count (2) lets LXD pick and balance CPUs; a set of CPU ids (0-3 or 0,2) pins them. VMs default to 1.',
  },
  'cpu.allowance': {
    kind: 'allowance',
    appliesTo: 'container',
    description: 'How much CPU time may be used: a percentage (50%) is a soft limit, a time slice (25ms/100ms) a hard one. Containers only.',
  },
  'cpu.priority': {
    kind: 'int0-10',
    appliesTo: 'container',
    description: 'CPU scheduling priority against other instances sharing the CPUs, 0 to 10 (default 10). Containers only.',
  },
  'cpu.nodes': { kind: 'cpuset', appliesTo: 'both', description: 'NUMA node ids or ranges to place the instance CPUs on (0 or 0-1 or 0,2).' },
  memory: {
    kind: 'size-or-percent',
    appliesTo: 'both',
    description:
      'Memory limit: a size (512MB, 1GiB; kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024, a bare number is bytes) or a percentage of host memory (50%). VMs default to 1GiB.',
  },
  'memory.enforce': {
    kind: 'enum',
    values: ['hard', 'soft'],
    appliesTo: 'container',
    description: 'hard: the instance can never exceed its memory limit; soft: it may when the host has memory to spare (default hard). Containers only.',
  },
  'memory.swap': {
    kind: 'bool',
    appliesTo: 'container',
    description: 'Whether less used pages of the instance may be swapped out (default true). Containers only.',
  },
  'memory.swap.priority': {
    kind: 'int0-10',
    appliesTo: 'container',
    description: 'How strongly to keep the instance out of swap, 0 to 10; higher is swapped less (default 10). Containers only.',
  },
  'memory.hugepages': { kind: 'bool', appliesTo: 'vm', description: 'Back the VM memory with huge pages (default false). Virtual machines only.' },
  processes: { kind: 'int', appliesTo: 'container', description: 'Maximum number of processes in the instance (default: no limit). Containers only.' },
  'disk.priority': { kind: 'int0-10', appliesTo: 'both', description: 'Priority of the instance I/O requests under load, 0 to 10 (default 5).' },
  'network.priority': {
    kind: 'int0-10',
    appliesTo: 'both',
    description: 'Priority of the instance network traffic under load, 0 to 10 (LXD 5.0; removed in newer LXD).',
  },
  'hugepages.64KB': { kind: 'size', appliesTo: 'container', description: 'Limit on 64 KB huge pages, as a size (e.g. 1MB). Containers only.' },
  'hugepages.1MB': { kind: 'size', appliesTo: 'container', description: 'Limit on 1 MB huge pages, as a size (e.g. 64MB). Containers only.' },
  'hugepages.2MB': { kind: 'size', appliesTo: 'container', description: 'Limit on 2 MB huge pages, as a size (e.g. 128MB). Containers only.' },
  'hugepages.1GB': { kind: 'size', appliesTo: 'container', description: 'Limit on 1 GB huge pages, as a size (e.g. 2GB). Containers only.' },
  disk: {
    kind: 'size',
    appliesTo: 'both',
    description:
      'Root disk size (e.g. 10GB). LXD keeps it as "size" on the root disk device (type: disk, path: /), so that device must be defined in the same object.',
  },
};

export const LIMIT_KEYS: readonly string[] = Object.keys(LIMITS);

/** Limits with no `limits.<key>` config key of their own (moved elsewhere by the loader). */
export const NOT_CONFIG_LIMITS: ReadonlySet<string> = new Set(['disk']);

const SIZE_HELP = 'use a number with a unit like 512MB or 1GiB';

/** Whether a limit may be set on an instance of the given type. */
export function limitApplies(key: string, type: 'container' | 'virtual-machine'): boolean {
  const spec = LIMITS[key];
  if (!spec || spec.appliesTo === 'both') return true;
  return (spec.appliesTo === 'vm') === (type === 'virtual-machine');
}

/**
 * Why `value` is not acceptable for limit `key` (no `limits.` prefix), or null when it is
 * (or when the key is not one lxplan knows: LXD is the judge of those).
 */
export function validateLimit(key: string, value: string): string | null {
  const spec = LIMITS[key];
  if (!spec) return null;
  const full = `limits.${key}`;
  if (value === '') return `empty value for ${full}: remove the key to leave the limit unset`;
  switch (spec.kind) {
    case 'size-or-percent': {
      if (value.endsWith('%')) {
        const p = parsePercent(value);
        if (p === null || p < 0) return `invalid percentage "${value}" for ${full}: use a whole number like 50%`;
        if (p === 0) return `${full} cannot be 0%`;
        return null;
      }
      const b = parseByteSizeBig(value);
      if (b === null) return `invalid size "${value}" for ${full}: ${SIZE_HELP}, or a percentage like 50%`;
      if (b === 0n) return `${full} cannot be 0`;
      return null;
    }
    case 'size':
      return parseByteSizeBig(value) === null ? `invalid size "${value}" for ${full}: ${SIZE_HELP}` : null;
    case 'cpu':
      return parseCpuLimit(value) === null
        ? `invalid CPU limit "${value}" for ${full}: use a number of CPUs like 2, or a set of CPU ids like 0-3 or 0,2,4`
        : null;
    case 'cpuset':
      return parseCpuSet(value) === null ? `invalid NUMA node set "${value}" for ${full}: use node ids like 0, 0-1 or 0,2` : null;
    case 'allowance':
      return parseCpuAllowance(value) === null
        ? `invalid CPU allowance "${value}" for ${full}: use a percentage like 50% or a time slice like 25ms/100ms`
        : null;
    case 'int0-10': {
      const n = parseInt64(value);
      return n === null || n < 0n || n > 10n ? `invalid value "${value}" for ${full}: use a whole number from 0 to 10` : null;
    }
    case 'int': {
      const n = parseInt64(value);
      return n === null || n < 0n ? `invalid value "${value}" for ${full}: use a whole number` : null;
    }
    case 'bool':
      return parseBool(value) === null ? `invalid value "${value}" for ${full}: use true or false` : null;
    case 'enum':
      return spec.values!.includes(value) ? null : `invalid value "${value}" for ${full}: use one of ${spec.values!.join(', ')}`;
  }
}

/**
 * A hint for a rejected limit value: the usual slips (a space before the unit, a fraction,
 * the wrong case of a unit) get a concrete correction.
 */
export function limitHint(key: string, value: string): string | undefined {
  const spec = LIMITS[key];
  if (!spec) return undefined;
  if (spec.kind === 'size' || spec.kind === 'size-or-percent') return sizeHint(value);
  if (spec.kind === 'enum') {
    const c = closest(value.toLowerCase(), [...spec.values!]);
    return distance(value.toLowerCase(), c) <= 2 ? `did you mean "${c}"?` : undefined;
  }
  if (spec.kind === 'cpu' || spec.kind === 'cpuset') {
    if (/^[0-9]+\.[0-9]+$/.test(value)) return 'CPU counts are whole numbers; for a fraction of CPU time use cpu.allowance (e.g. 50%)';
    const ids = value.split(/[,-]/);
    if (ids.length > 1 && new Set(ids).size < ids.length) return 'each CPU id may appear only once';
  }
  return undefined;
}

const UNIT_FIX: Record<string, string> = {
  k: 'kB',
  kb: 'kB',
  m: 'MB',
  mb: 'MB',
  g: 'GB',
  gb: 'GB',
  t: 'TB',
  tb: 'TB',
  p: 'PB',
  pb: 'PB',
  e: 'EB',
  eb: 'EB',
  ki: 'KiB',
  kib: 'KiB',
  mi: 'MiB',
  mib: 'MiB',
  gi: 'GiB',
  gib: 'GiB',
  ti: 'TiB',
  tib: 'TiB',
  pi: 'PiB',
  pib: 'PiB',
  ei: 'EiB',
  eib: 'EiB',
  b: 'B',
  byte: 'B',
  bytes: 'B',
};

function sizeHint(value: string): string | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const [, num, unit] = m;
  const fixed = unit === '' ? '' : UNIT_FIX[unit.toLowerCase()];
  if (fixed === undefined) return 'units: kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); a bare number is bytes';
  if (num.includes('.')) return `sizes are whole numbers: use a smaller unit (e.g. 1500MB instead of 1.5GB)`;
  const suggestion = `${num}${fixed}`;
  if (suggestion !== value) return `did you mean "${suggestion}"?`;
  return undefined;
}

/**
 * Why a config value would be rejected by LXD, for the keys lxplan knows the type of
 * (limits.* keys via the table; other bool and integer keys), or null.
 */
export function validateConfigValue(key: string, value: string): string | null {
  if (key.startsWith('limits.')) {
    const k = key.slice('limits.'.length);
    if (NOT_CONFIG_LIMITS.has(k)) return `LXD has no config key ${key}: give the root disk size as limits: {disk: ...} or as size: on the root disk device`;
    if (LIMITS[k]) return validateLimit(k, value);
    return null;
  }
  if (value === '') return null;
  if (BOOL_KEYS.has(key) && parseBool(value) === null) return `invalid value "${value}" for ${key}: use true or false`;
  if (INT_KEYS.has(key) && parseInt64(value) === null) return `invalid value "${value}" for ${key}: use a whole number`;
  return null;
}
