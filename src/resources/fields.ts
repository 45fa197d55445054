/** Flattening config and device maps into comparable fields, shared by the kinds. */
import { createHash } from 'node:crypto';
import type { ConfigMap, DeviceMap } from '../lxd/types.js';
import { canonicalBitRate } from './devices.js';
import { isServerComputedKey } from './instance/keys.js';
import type { FieldValue, Fields } from './spec.js';
import { canonical, parseByteSize } from './units.js';

export function field(display: string, canon: string = display): FieldValue {
  return { display, canonical: canon };
}

/** `config.<key>` fields, server-computed keys (volatile.*, image.*) left out. */
export function configFields(config: ConfigMap, out: Fields = {}): Fields {
  for (const [k, v] of Object.entries(config)) {
    if (isServerComputedKey(k)) continue;
    out[`config.${k}`] = field(String(v), canonical(k, String(v)));
  }
  return out;
}

/** Device keys whose values are sizes: "10GB" and "10000000000" are the same size. */
const SIZE_KEYS = new Set(['size', 'size.state', 'limits.read', 'limits.write', 'limits.max']);

/**
 * The canonical form of a field from its display value: what makes "512MB" and "512000000",
 * or "0-2" and "0,1,2", the same. Used for desired, live and recorded (state) values alike.
 */
export function canonicalFor(path: string, display: string): string {
  if (path.startsWith('config.')) return canonical(path.slice('config.'.length), display);
  if (path.startsWith('devices.')) return deviceValueCanonical(path.split('.').slice(2).join('.'), display);
  return display;
}

/** Nic keys whose values are bit rates: "10Mbit" and "10000kbit" are the same rate. */
const BIT_RATE_KEYS = new Set(['limits.ingress', 'limits.egress', 'limits.max']);

function deviceValueCanonical(key: string, value: string): string {
  if (SIZE_KEYS.has(key)) {
    const n = parseByteSize(value);
    if (n !== null) return String(n);
  }
  if (BIT_RATE_KEYS.has(key)) {
    const r = canonicalBitRate(value);
    if (r !== null) return r;
  }
  return value.trim();
}

/** `devices.<name>.<key>` fields: one per device key, so a change shows exactly which key moved. */
export function deviceFields(devices: DeviceMap, out: Fields = {}): Fields {
  for (const [name, dev] of Object.entries(devices)) {
    for (const [k, v] of Object.entries(dev)) {
      out[`devices.${name}.${k}`] = field(String(v), deviceValueCanonical(k, String(v)));
    }
  }
  return out;
}

/** A list shown as `[a, b]`; order is part of the value. */
export function listField(items: string[]): FieldValue {
  return field(`[${items.join(', ')}]`);
}

/** A stable digest of a JSON value (object keys sorted). */
export function digestOf(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, x]) => [k, sorted(x)]),
        )
      : Array.isArray(v)
        ? v.map(sorted)
        : v;
  return createHash('sha256')
    .update(JSON.stringify(sorted(value)))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Keys LXD fills in itself when a new object leaves them out (a bridge's ipv6.address, a dir
 * pool's source): LXD's to choose unless the manifest declares them. `filled(key)` says which.
 */
export type FilledKeys = (key: string) => boolean;

/**
 * The part of a live config lxplan compares with the manifest: without server-computed keys
 * (volatile.*) and without the keys LXD filled in that the manifest does not declare.
 */
export function ownedConfig(live: ConfigMap, declared: ConfigMap | undefined, filled: FilledKeys): ConfigMap {
  const out: ConfigMap = {};
  for (const [k, v] of Object.entries(live ?? {})) {
    if (isServerComputedKey(k)) continue;
    if (filled(k) && !(declared && k in declared)) continue;
    out[k] = v;
  }
  return out;
}

/**
 * The config to write (PUT replaces the whole map): the declared keys, plus what LXD keeps for
 * itself from the current config (volatile.* and the keys it filled in that the manifest leaves
 * to it). Sending those back unchanged is what LXD expects: a dir pool refuses a PUT without its
 * `source` ("Pool source cannot be changed"), a bridge PUT without ipv6.address turns IPv6 off.
 */
export function configToWrite(current: ConfigMap, declared: ConfigMap, filled: FilledKeys): ConfigMap {
  const out: ConfigMap = {};
  for (const [k, v] of Object.entries(current ?? {})) {
    if (isServerComputedKey(k) || (filled(k) && !(k in declared))) out[k] = v;
  }
  return Object.assign(out, declared);
}

/** The config a digest covers: what lxplan manages, volatile.* left out. */
export function managedConfig(config: ConfigMap): ConfigMap {
  return Object.fromEntries(Object.entries(config ?? {}).filter(([k]) => !isServerComputedKey(k)));
}

/** True when `read` finds the object, false on LXD's 404. */
export async function found(read: () => Promise<unknown>, isNotFound: (e: unknown) => boolean): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
