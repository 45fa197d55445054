/**
 * What devices say about other objects, and the device values lxplan can check offline.
 *
 * References (for ordering and for "exists nowhere" errors):
 *  - a nic with `network: X` uses the managed network X (LXD accepts only managed networks there);
 *  - a nic with `parent: X` uses X, which may be a managed network (nictype bridged on an lxplan
 *    bridge) or a host interface: ordered after network X when lxplan manages one, never an error;
 *  - a disk with `pool: P` uses pool P, and with `source: V` too (not a path), custom volume P/V.
 *
 * Values, with LXD's own parsers (shared/units), so a typo fails before anything is sent:
 *  - nic limits.ingress / limits.egress / limits.max: bit rates, units.ParseBitSizeString: digits,
 *    then nothing, "bit", kbit/Mbit/Gbit/Tbit/Pbit/Ebit (powers of 1000) or Kibit/Mibit/...
 *    (powers of 1024). Case matters ("10mbit" and "10Kbit" are refused, as LXD 5.0.2 refuses them).
 *  - disk size / size.state: byte sizes (units.ParseByteSizeString, see units.ts);
 *  - disk limits.read / limits.write / limits.max: a byte rate (10MB) or an I/O rate (100iops).
 */
import type { DeviceMap } from '../lxd/types.js';
import { addressOf, type Address, type Kind } from './types.js';
import { parseByteSizeBig, parseInt64 } from './units.js';

export interface DeviceUse {
  /** The device's name. */
  device: string;
  /** The device key that names the object. */
  key: 'network' | 'parent' | 'pool' | 'source';
  kind: Extract<Kind, 'network' | 'storage_pool' | 'storage_volume'>;
  /** The object's name ("fast/data" for a volume). */
  name: string;
  /** False when the name may be something lxplan does not know (a nic's parent may be a host interface). */
  mustExist: boolean;
}

/** Every network, pool and volume the devices name, in device order. */
export function deviceUses(devices: DeviceMap): DeviceUse[] {
  const out: DeviceUse[] = [];
  for (const [device, d] of Object.entries(devices ?? {})) {
    if (d.type === 'nic') {
      if (d.network) out.push({ device, key: 'network', kind: 'network', name: d.network, mustExist: true });
      else if (d.parent) out.push({ device, key: 'parent', kind: 'network', name: d.parent, mustExist: false });
    } else if (d.type === 'disk' && d.pool) {
      out.push({ device, key: 'pool', kind: 'storage_pool', name: d.pool, mustExist: true });
      if (d.source && !d.source.startsWith('/')) out.push({ device, key: 'source', kind: 'storage_volume', name: `${d.pool}/${d.source}`, mustExist: true });
    }
  }
  return out;
}

/** The addresses of what the devices use ("network.lxdbr1", "storage_pool.fast", "storage_volume.fast/data"). */
export function deviceRefs(devices: DeviceMap): Address[] {
  return [...new Set(deviceUses(devices).map((u) => addressOf(u.kind, u.name)))];
}

const INT64_MAX = (1n << 63n) - 1n;

const BIT_UNITS: Record<string, bigint> = {
  '': 1n, bit: 1n,
  kbit: 1000n, Mbit: 1000n ** 2n, Gbit: 1000n ** 3n, Tbit: 1000n ** 4n, Pbit: 1000n ** 5n, Ebit: 1000n ** 6n,
  Kibit: 1024n, Mibit: 1024n ** 2n, Gibit: 1024n ** 3n, Tibit: 1024n ** 4n, Pibit: 1024n ** 5n, Eibit: 1024n ** 6n,
};

/** Bits per second, or null when LXD's ParseBitSizeString would refuse the string. */
export function parseBitRate(s: string): bigint | null {
  const m = /^([0-9]+)(.*)$/s.exec(s);
  if (!m || !Object.prototype.hasOwnProperty.call(BIT_UNITS, m[2])) return null;
  const n = BigInt(m[1]);
  if (n > INT64_MAX) return null;
  const bits = n * BIT_UNITS[m[2]];
  return bits > INT64_MAX ? null : bits;
}

const NIC_RATE_KEYS = new Set(['limits.ingress', 'limits.egress', 'limits.max']);
const DISK_SIZE_KEYS = new Set(['size', 'size.state']);
const DISK_RATE_KEYS = new Set(['limits.read', 'limits.write', 'limits.max']);

/** An I/O rate such as "100iops" as its number, or null. */
function parseIops(s: string): bigint | null {
  return s.endsWith('iops') ? parseInt64(s.slice(0, -4)) : null;
}

/** Why LXD would refuse `value` for `key` of a device of type `type`, or null (also for keys lxplan does not check). */
export function validateDeviceValue(type: string | undefined, key: string, value: string): string | null {
  if (type === 'nic' && NIC_RATE_KEYS.has(key)) {
    const bits = parseBitRate(value);
    if (bits === null) return `invalid ${key} "${value}": a bit rate is a whole number with a unit of bit, kbit, Mbit, Gbit (powers of 1000) or Kibit, Mibit, Gibit (powers of 1024), e.g. 10Mbit`;
    if (bits === 0n) return `invalid ${key} "${value}": a rate of 0 cannot be applied (leave the key out for no limit)`;
    return null;
  }
  if (type === 'disk' && DISK_SIZE_KEYS.has(key)) {
    return parseByteSizeBig(value) === null ? `invalid ${key} "${value}": a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)` : null;
  }
  if (type === 'disk' && DISK_RATE_KEYS.has(key)) {
    const iops = parseIops(value);
    if (parseByteSizeBig(value) !== null || (iops !== null && iops >= 0n)) return null;
    return `invalid ${key} "${value}": a disk rate is bytes per second with a unit (10MB) or operations per second (100iops)`;
  }
  return null;
}

/** A canonical spelling of a nic rate for comparison ("10Mbit" and "10000kbit" are the same), or null. */
export function canonicalBitRate(value: string): string | null {
  const b = parseBitRate(value);
  return b === null ? null : `${b}bit`;
}
