/**
 * LXD's value rules, as pure functions, so lxplan can (1) reject a value LXD would reject
 * before talking to the daemon and (2) tell when two spellings mean the same thing
 * ("512MB" and "512000000"), so a plan does not show a change that is none.
 *
 * The rules follow LXD's own parsers, and deliberately accept no more than they do:
 *  - sizes: shared/units.ParseByteSizeString (LXD 5.0 and later): a run of decimal digits,
 *    then nothing, "B", " bytes", kB/MB/GB/TB/PB/EB (powers of 1000) or
 *    KiB/MiB/GiB/TiB/PiB/EiB (powers of 1024). No space before the unit, no fraction, no
 *    sign; the result must fit in a signed 64-bit integer.
 *  - booleans: shared/validate.IsBool accepts true/false/yes/no/1/0/on/off in any case;
 *    shared.IsTrue treats "true", "1", "yes", "on" (any case) as true.
 *  - integers: Go's strconv.ParseInt (optional sign, decimal digits, 64-bit).
 *  - CPU sets: shared/validate.IsValidCPUSet: comma-separated CPU ids or "a-b" ranges, no
 *    id given twice.
 *  - limits.cpu: a bare number is a COUNT of CPUs; anything with "," or "-" is a set of
 *    CPU ids ("2" = any two CPUs, "2-2" = CPU number 2).
 *  - limits.cpu.allowance: "N%" (soft) or "Xms/Yms" (hard; the "ms" suffixes are optional).
 * Which keys are booleans or integers is recorded from LXD's configuration metadata
 * (shared/reference/lxd/configuration.json, the instance entity).
 */
import { INSTANCE_KEYS } from './lxd-config-keys.js';
import { instanceKeysOfType } from './lxd-config-keys-5.0.js';

const INT64_MAX = (1n << 63n) - 1n;

const DECIMAL: Record<string, bigint> = {
  '': 1n,
  B: 1n,
  ' bytes': 1n,
  kB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  PB: 1000n ** 5n,
  EB: 1000n ** 6n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
  PiB: 1024n ** 5n,
  EiB: 1024n ** 6n,
};

/** The size units LXD accepts, for messages. */
export const SIZE_UNITS: readonly string[] = Object.keys(DECIMAL).filter((u) => u !== '' && u !== ' bytes');

/**
 * Bytes as a bigint, exactly (sizes up to 2^63-1 do not fit a double), or null when LXD
 * would reject the string. Unlike LXD, "" is not a size here (LXD reads it as "unset").
 */
export function parseByteSizeBig(s: string): bigint | null {
  const m = /^([0-9]+)(.*)$/s.exec(s);
  if (!m) return null;
  const mult = Object.prototype.hasOwnProperty.call(DECIMAL, m[2]) ? DECIMAL[m[2]] : undefined;
  if (mult === undefined) return null;
  const n = BigInt(m[1]);
  if (n > INT64_MAX) return null;
  const bytes = n * mult;
  return bytes > INT64_MAX ? null : bytes;
}

/** Bytes, or null when LXD would reject the string (may lose precision above 2^53). */
export function parseByteSize(s: string): number | null {
  const b = parseByteSizeBig(s);
  return b === null ? null : Number(b);
}

/** Go's strconv.ParseInt(s, 10, 64): optional sign, digits, within int64. */
export function parseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? null : n;
}

/** Go's strconv.Atoi on 64-bit platforms: the same as ParseInt(s, 10, 64). */
const atoi = parseInt64;

/**
 * A CPU (or NUMA node) set such as "0-2,7" as the sorted list of ids, or null when LXD's
 * IsValidCPUSet would reject it (bad syntax, an id given twice, a range running backwards).
 */
export function parseCpuSet(s: string): number[] | null {
  if (!/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(s)) return null;
  const seen = new Set<number>();
  for (const chunk of s.split(',')) {
    const [lo, hi] = chunk.split('-').map(Number);
    const end = hi === undefined ? lo : hi;
    // LXD itself lets "3-1" through its validator and then fails when starting; reject early.
    if (end < lo || end - lo > 65535) return null;
    for (let i = lo; i <= end; i++) {
      if (seen.has(i)) return null;
      seen.add(i);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** A sorted id list back to the shortest "a-b,c" spelling: [0,1,2,7] -> "0-2,7". */
export function formatCpuSet(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** "0,1,2" and "2,0-1" both become "0-2"; null when not a valid set. */
export function canonicalCpuSet(s: string): string | null {
  const ids = parseCpuSet(s);
  return ids === null ? null : formatCpuSet(ids);
}

/**
 * limits.cpu: { count } for a bare number, { set } for a list of CPU ids; null if invalid.
 * A bare number must be an integer LXD's ParseInt accepts; 0 is not a useful count.
 */
export function parseCpuLimit(s: string): { count: number } | { set: number[] } | null {
  if (/^[0-9]+$/.test(s)) {
    const n = parseInt64(s);
    return n === null || n < 1n ? null : { count: Number(n) };
  }
  const set = parseCpuSet(s);
  return set === null ? null : { set };
}

/** "50%" -> 50 (an integer, as LXD parses it); null otherwise. */
export function parsePercent(s: string): number | null {
  if (!s.endsWith('%')) return null;
  const n = atoi(s.slice(0, -1));
  return n === null ? null : Number(n);
}

export type CpuAllowance = { percent: number } | { quotaMs: number; periodMs: number };

/** limits.cpu.allowance: "40%" or "50ms/200ms" ("50/200" too, as LXD accepts). */
export function parseCpuAllowance(s: string): CpuAllowance | null {
  if (s.endsWith('%')) {
    const p = parsePercent(s);
    return p === null || p < 0 ? null : { percent: p };
  }
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ms = (x: string) => atoi(x.endsWith('ms') ? x.slice(0, -2) : x);
  const q = ms(s.slice(0, slash));
  const p = ms(s.slice(slash + 1));
  if (q === null || p === null || q < 0n || p <= 0n) return null;
  return { quotaMs: Number(q), periodMs: Number(p) };
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** LXD's boolean spelling: true/false, null when IsBool would reject it. */
export function parseBool(s: string): boolean | null {
  const l = s.toLowerCase();
  if (TRUE_WORDS.includes(l)) return true;
  if (FALSE_WORDS.includes(l)) return false;
  return null;
}

/**
 * Instance/profile config keys LXD types as bool, and as integer: from the key table
 * (lxd-config-keys.ts, LXD's configuration.json, its instance entity, with the 5.0.2 keys it lacks,
 * such as limits.network.priority). Keys LXD does not know are compared as plain strings.
 */
export const BOOL_KEYS: ReadonlySet<string> = new Set(instanceKeysOfType(INSTANCE_KEYS, 'bool'));
export const INT_KEYS: ReadonlySet<string> = new Set(instanceKeysOfType(INSTANCE_KEYS, 'integer'));

/** Config keys whose value is a byte size. */
export const SIZE_KEYS: ReadonlySet<string> = new Set(['limits.hugepages.64KB', 'limits.hugepages.1MB', 'limits.hugepages.2MB', 'limits.hugepages.1GB']);

function canonicalSize(v: string): string | null {
  const b = parseByteSizeBig(v);
  return b === null ? null : b.toString();
}

/**
 * A canonical spelling of a config value, for comparing desired and actual: two values
 * LXD treats the same give the same string. Invalid values (and keys without rules) give
 * the trimmed string, so they compare as themselves and the daemon gets to say no.
 */
export function canonical(key: string, value: string): string {
  // LXD does not trim values, so the rules see them as written; only the fallback trims.
  const v = value;
  let c: string | null = null;
  if (key === 'limits.memory') {
    const p = parsePercent(v);
    c = p !== null ? `${p}%` : canonicalSize(v);
  } else if (SIZE_KEYS.has(key)) {
    c = canonicalSize(v);
  } else if (key === 'limits.cpu') {
    const l = parseCpuLimit(v);
    // A one-CPU set keeps its range form so it never equals the count of the same number.
    if (l !== null) c = 'count' in l ? String(l.count) : l.set.length === 1 ? `${l.set[0]}-${l.set[0]}` : formatCpuSet(l.set);
  } else if (key === 'limits.cpu.nodes') {
    c = canonicalCpuSet(v);
  } else if (key === 'limits.cpu.allowance') {
    const a = parseCpuAllowance(v);
    if (a !== null) c = 'percent' in a ? `${a.percent}%` : `${a.quotaMs}ms/${a.periodMs}ms`;
  } else if (BOOL_KEYS.has(key)) {
    const b = parseBool(v);
    if (b !== null) c = String(b);
  } else if (INT_KEYS.has(key)) {
    const n = parseInt64(v);
    if (n !== null) c = n.toString();
  }
  return c ?? v.trim();
}

/** True when LXD would treat the two values of `key` as the same setting. */
export function sameValue(key: string, a: string, b: string): boolean {
  return canonical(key, a) === canonical(key, b);
}
