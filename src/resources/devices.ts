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
import { registry } from './registry.js';
import type { DeviceReference, DeviceReferencedKinds, FieldImpact } from './spec.js';
import { addressOf, type Address, type Kind } from './types.js';
import { didYouMean } from '../manifest/hints.js';
import { parseBool, parseByteSizeBig, parseInt64 } from './units.js';

export interface DeviceUse extends DeviceReference {
  /** The device's name. */
  device: string;
  /** The kind of the object named. */
  kind: keyof DeviceReferencedKinds & Kind;
}

/** Every object the devices name (networks, pools, volumes), in device order: each kind says how a device names it (ResourceSpec.deviceReferences). */
export function deviceUses(devices: DeviceMap): DeviceUse[] {
  const out: DeviceUse[] = [];
  for (const [device, d] of Object.entries(devices ?? {})) {
    for (const e of registry) for (const r of e.spec.deviceReferences?.(d) ?? []) out.push({ device, kind: e.kind as DeviceUse['kind'], ...r });
  }
  return out;
}

/** The addresses of what the devices use (network.lxdbr1, storage_pool.fast, storage_volume.fast/data). */
export function deviceRefs(devices: DeviceMap): Address[] {
  return [...new Set(deviceUses(devices).map((u) => addressOf(u.kind, u.name)))];
}

const INT64_MAX = (1n << 63n) - 1n;

const BIT_UNITS: Record<string, bigint> = {
  '': 1n,
  bit: 1n,
  kbit: 1000n,
  Mbit: 1000n ** 2n,
  Gbit: 1000n ** 3n,
  Tbit: 1000n ** 4n,
  Pbit: 1000n ** 5n,
  Ebit: 1000n ** 6n,
  Kibit: 1024n,
  Mibit: 1024n ** 2n,
  Gibit: 1024n ** 3n,
  Tibit: 1024n ** 4n,
  Pibit: 1024n ** 5n,
  Eibit: 1024n ** 6n,
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

/** An I/O rate such as "100iops" as its number, or null. */
function parseIops(s: string): bigint | null {
  return s.endsWith('iops') ? parseInt64(s.slice(0, -4)) : null;
}

// ---------------------------------------------------------------------------------------------
// Device options per type, as LXD 5.0.2 accepts them.
//
// Written by hand from LXD's configuration.json (configs "device-*", the LXD documentation's generated key reference),
// which describes a NEWER LXD, then checked against the 5.0.2 daemon with `lxc config device add`
// on a container and `lxc profile device add` (November 2026). Keys in the reference that 5.0.2
// refuses ("Invalid device option") are left out: disk io.bus, io.cache, io.threads, initial.*,
// source.type, source.snapshot; nic limits.priority and queue.tx.length (every nictype); unix-hotplug
// subsystem and ownership.inherit; usb busnum, devnum and serial. Keys 5.0.2 still accepts that
// the reference dropped are kept: disk `optional`, nic `maas.subnet.ipv4/ipv6`.
// Value checks follow the 5.0.2 messages (kept cheap: forms, not whether a host device exists).
// ---------------------------------------------------------------------------------------------

/** How a value is checked; each returns why LXD would refuse it, or null. */
type Check = (v: string) => string | null;

const isUint32 = (v: string) => /^[0-9]+$/.test(v) && BigInt(v) <= 0xffffffffn;
const BOOL: Check = (v) => (parseBool(v) === null ? 'a boolean is true or false (LXD also takes yes/no, on/off, 1/0)' : null);
const UINT: Check = (v) => (isUint32(v) ? null : 'a whole number from 0 to 4294967295');
const UNIX_ID: Check = (v) => (isUint32(v) ? null : 'a user or group id is a whole number (0 is root)');
const MODE: Check = (v) => (/^[0-7]+$/.test(v) ? null : 'a file mode is octal, such as 0660');
const DEVNUM: Check = (v) => (isUint32(v) ? null : 'a device number is a whole number, such as 1 (with minor: 3 for /dev/null)');
const HEX4: Check = (v) => (/^[0-9a-f]{4}$/.test(v) ? null : 'an id is four lower-case hex digits, such as 10de');
const PCI: Check = (v) => (/^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-9a-fA-F]$/.test(v) ? null : 'a PCI address looks like 0000:01:00.0');
const MAC: Check = (v) =>
  /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(v) ? null : 'a MAC address is 6 bytes of hex separated by colons, such as 00:16:3e:12:34:56';
const IB_MAC: Check = (v) =>
  /^([0-9a-fA-F]{2}:){7}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}:){19}[0-9a-fA-F]{2}$/.test(v)
    ? null
    : 'an infiniband address is 8 or 20 bytes of hex separated by colons';
const MTU: Check = (v) => (/^[0-9]+$/.test(v) && Number(v) >= 1280 && Number(v) <= 16384 ? null : 'an MTU is a whole number from 1280 to 16384');
const VLAN: Check = (v) => (/^[0-9]+$/.test(v) && Number(v) <= 4094 ? null : 'a VLAN id is a whole number from 0 to 4094');
const VLANS: Check = (v) => (v.split(',').every((x) => VLAN(x.trim()) === null) ? null : 'a comma-separated list of VLAN ids from 0 to 4094');
const UUID: Check = (v) => (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v) ? null : 'a UUID such as 7d3e4b2a-...');
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v) ? null : `one of ${allowed.join(', ')}`;
const ANY: Check = () => null;
const BIT_RATE: Check = (v) => {
  const bits = parseBitRate(v);
  if (bits === null)
    return 'a bit rate is a whole number with a unit of bit, kbit, Mbit, Gbit (powers of 1000) or Kibit, Mibit, Gibit (powers of 1024), e.g. 10Mbit';
  return bits === 0n ? 'a rate of 0 cannot be applied (leave the key out for no limit)' : null;
};
const SIZE: Check = (v) =>
  parseByteSizeBig(v) === null ? 'a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)' : null;
const DISK_RATE: Check = (v) => {
  const iops = parseIops(v);
  return parseByteSizeBig(v) !== null || (iops !== null && iops >= 0n)
    ? null
    : 'a disk rate is bytes per second with a unit (10MB) or operations per second (100iops)';
};
const PROXY_ADDR: Check = (v) => proxyAddressProblem(v);

type Options = Record<string, Check>;
/** `keys('a b c', CHECK)`: the same check for several keys. */
function keys(names: string, check: Check): Options {
  return Object.fromEntries(names.split(' ').map((n) => [n, check]));
}

const NIC_BASE: Options = { nictype: ANY, name: ANY, hwaddr: MAC, mtu: MTU };
/** parent: and network: (a nic names one or the other). */
const UPLINK = keys('parent network', ANY);
const NIC_LIMITS = keys('limits.ingress limits.egress limits.max', BIT_RATE);
const MAAS = keys('maas.subnet.ipv4 maas.subnet.ipv6', ANY);
const ADDRS = keys('ipv4.address ipv6.address', ANY);

/** Options per nictype (the table of LXD 5.0.2's nic validators). */
const NIC: Record<string, Options> = {
  bridged: {
    ...NIC_BASE,
    ...UPLINK,
    ...NIC_LIMITS,
    ...MAAS,
    ...ADDRS,
    host_name: ANY,
    vlan: VLAN,
    'vlan.tagged': VLANS,
    'boot.priority': UINT,
    ...keys('ipv4.routes ipv6.routes ipv4.routes.external ipv6.routes.external', ANY),
    ...keys('security.mac_filtering security.ipv4_filtering security.ipv6_filtering security.port_isolation', BOOL),
  },
  macvlan: { ...NIC_BASE, ...UPLINK, ...MAAS, vlan: VLAN, gvrp: BOOL, 'boot.priority': UINT },
  sriov: { ...NIC_BASE, ...UPLINK, ...MAAS, vlan: VLAN, 'security.mac_filtering': BOOL, 'boot.priority': UINT },
  physical: { ...NIC_BASE, ...UPLINK, ...MAAS, vlan: VLAN, gvrp: BOOL, 'boot.priority': UINT },
  ipvlan: {
    ...NIC_BASE,
    parent: ANY,
    ...ADDRS,
    vlan: VLAN,
    gvrp: BOOL,
    mode: oneOf('l2', 'l3s'),
    ...keys('ipv4.gateway ipv6.gateway', ANY),
    ...keys('ipv4.host_table ipv6.host_table', UINT),
  },
  p2p: { ...NIC_BASE, ...NIC_LIMITS, host_name: ANY, 'boot.priority': UINT, ...keys('ipv4.routes ipv6.routes', ANY) },
  routed: {
    ...NIC_BASE,
    parent: ANY,
    ...NIC_LIMITS,
    ...ADDRS,
    host_name: ANY,
    vlan: VLAN,
    gvrp: BOOL,
    ...keys('ipv4.gateway ipv6.gateway ipv4.host_address ipv6.host_address ipv4.routes ipv6.routes', ANY),
    ...keys('ipv4.host_table ipv6.host_table', UINT),
    ...keys('ipv4.neighbor_probe ipv6.neighbor_probe', BOOL),
  },
  // Not checked against the daemon (no OVN here): the reference's keys less those added after 5.0 (nested, vlan, acceleration.parent).
  ovn: {
    ...NIC_BASE,
    network: ANY,
    ...ADDRS,
    host_name: ANY,
    'boot.priority': UINT,
    acceleration: ANY,
    ...keys('ipv4.routes ipv6.routes ipv4.routes.external ipv6.routes.external security.acls', ANY),
    ...keys('security.acls.default.ingress.action security.acls.default.egress.action', ANY),
    ...keys('security.acls.default.ingress.logged security.acls.default.egress.logged', BOOL),
  },
};
/** Keys a nic with `network:` takes from the network and may not set (LXD: Cannot use "mtu" property in conjunction with the network property). */
const FROM_NETWORK = ['nictype', 'parent', 'mtu', 'maas.subnet.ipv4', 'maas.subnet.ipv6'];
/** Nictypes that need `parent:` (or `network:`). */
const NEEDS_PARENT = new Set(['bridged', 'macvlan', 'sriov', 'physical', 'ipvlan']);

const GPU_BASE: Options = { gputype: ANY, id: ANY, pci: PCI, vendorid: HEX4, productid: HEX4 };
const GPU: Record<string, Options> = {
  physical: { ...GPU_BASE, uid: UNIX_ID, gid: UNIX_ID, mode: MODE },
  mdev: { ...GPU_BASE, mdev: ANY },
  mig: { ...GPU_BASE, 'mig.ci': UINT, 'mig.gi': UINT, 'mig.uuid': UUID },
  sriov: GPU_BASE,
};

const UNIX_OWNER: Options = { uid: UNIX_ID, gid: UNIX_ID, mode: MODE, required: BOOL };
const UNIX_NODE: Options = { source: ANY, path: ANY, major: DEVNUM, minor: DEVNUM, ...UNIX_OWNER };

/** Options of the device types that have one table. */
const SIMPLE: Record<string, Options> = {
  disk: {
    ...keys('path source pool propagation raw.mount.options ceph.cluster_name ceph.user_name', ANY),
    ...keys('readonly recursive required optional shift', BOOL),
    'boot.priority': UINT,
    size: SIZE,
    'size.state': SIZE,
    ...keys('limits.read limits.write limits.max', DISK_RATE),
  },
  proxy: {
    listen: PROXY_ADDR,
    connect: PROXY_ADDR,
    bind: oneOf('host', 'instance', 'container'),
    ...keys('nat proxy_protocol', BOOL),
    ...keys('uid gid security.uid security.gid', UNIX_ID),
    mode: MODE,
  },
  'unix-char': UNIX_NODE,
  'unix-block': UNIX_NODE,
  'unix-hotplug': { vendorid: HEX4, productid: HEX4, ...UNIX_OWNER },
  usb: { vendorid: HEX4, productid: HEX4, ...UNIX_OWNER },
  infiniband: { nictype: oneOf('physical', 'sriov'), parent: ANY, name: ANY, hwaddr: IB_MAC, mtu: MTU },
  pci: { address: PCI },
  tpm: { path: ANY, pathrm: ANY },
  none: {},
};

/** Device options of newer LXD releases that 5.0.2 refuses (a hint says so rather than guess a typo). */
const NEWER = new Set([
  'limits.priority',
  'queue.tx.length',
  'io.bus',
  'io.cache',
  'io.threads',
  'source.type',
  'source.snapshot',
  'subsystem',
  'ownership.inherit',
  'busnum',
  'devnum',
  'serial',
  'nested',
  'acceleration.parent',
]);

/** Every device type LXD 5.0.2 knows. */
export const DEVICE_TYPES = ['disk', 'nic', 'none', 'unix-char', 'unix-block', 'unix-hotplug', 'usb', 'gpu', 'infiniband', 'proxy', 'tpm', 'pci'] as const;

/** A `tcp:ADDR:PORT[-PORT][,PORT]`, `udp:...` or `unix:PATH` address: why LXD would refuse it, or null. */
export function proxyAddressProblem(v: string): string | null {
  const colon = v.indexOf(':');
  const proto = colon < 0 ? '' : v.slice(0, colon);
  const rest = v.slice(colon + 1);
  if (proto === 'unix') return rest === '' ? 'a unix address names a socket: unix:/run/app.sock (or unix:@abstract)' : null;
  if (proto !== 'tcp' && proto !== 'udp') return 'an address is tcp:ADDRESS:PORT, udp:ADDRESS:PORT or unix:PATH, e.g. tcp:127.0.0.1:80';
  const m = /^(\[[^\]]*\]|[^:[\]]*):([^:]*)$/.exec(rest);
  if (!m) return `the ${proto} address needs an IP address and a port, e.g. ${proto}:127.0.0.1:80 or ${proto}:[::1]:80`;
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (!isIP(host)) return `"${host}" is not an IP address (LXD takes no host names here: use 127.0.0.1, 0.0.0.0, [::1] ...)`;
  if (proxyPortCount(m[2]) === null) return 'ports are numbers, ranges and lists: 80, 8000-8010, 80,443';
  return null;
}

/** How many ports a port spec names ("80" 1, "8000-8009" 10, "80,443" 2), or null if it is not one. */
function proxyPortCount(spec: string): number | null {
  let n = 0;
  for (const part of spec.split(',')) {
    const r = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part.trim());
    if (!r) return null;
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    if (hi < lo) return null;
    n += hi - lo + 1;
  }
  return n;
}

function isIP(s: string): boolean {
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(s)) return s.split('.').every((x) => Number(x) <= 255);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}

/** A problem with one device: at one of its options (`key`), at the value of that option (`atValue`), or at the device itself. */
export interface DeviceProblem {
  /** An unknown or missing option (reported as a schema error), not a bad value. */
  schema?: boolean;
  key?: string;
  atValue?: boolean;
  message: string;
  hint?: string;
}

/** The options a device of this shape may have, and a label for messages ("nic (bridged)"). */
function optionsFor(dev: Record<string, string>): { options: Options; label: string } | { problem: DeviceProblem } {
  const type = dev.type;
  if (type === 'nic') {
    if (dev.network !== undefined && dev.nictype === undefined) {
      const options: Options = {};
      for (const o of Object.values(NIC)) Object.assign(options, o);
      for (const k of FROM_NETWORK) delete options[k];
      return { options: { ...options, network: ANY }, label: 'nic (with network:)' };
    }
    const nictype = dev.nictype;
    if (nictype === undefined) {
      return {
        problem: {
          schema: true,
          message: 'a nic needs network: (a managed network) or nictype: (bridged, macvlan, p2p, physical, ipvlan, routed, sriov)',
          hint: 'e.g. {type: nic, network: lxdbr0, name: eth0}',
        },
      };
    }
    const options = NIC[nictype];
    if (!options)
      return {
        problem: {
          key: 'nictype',
          atValue: true,
          message: `unknown nictype "${nictype}": LXD 5.0.2 knows ${Object.keys(NIC).join(', ')}`,
          hint: didYouMean(nictype, Object.keys(NIC)),
        },
      };
    return { options, label: `nic (${nictype})` };
  }
  if (type === 'gpu') {
    const gputype = dev.gputype ?? 'physical';
    const options = GPU[gputype];
    if (!options)
      return {
        problem: {
          key: 'gputype',
          atValue: true,
          message: `unknown gputype "${gputype}": LXD 5.0.2 knows ${Object.keys(GPU).join(', ')}`,
          hint: didYouMean(gputype, Object.keys(GPU)),
        },
      };
    return { options, label: `gpu (${gputype})` };
  }
  const options = type === undefined ? undefined : SIMPLE[type];
  return options ? { options, label: type } : { problem: { message: '' } };
}

/**
 * Everything LXD 5.0.2 would refuse in one device, checked offline: unknown options (with a
 * did-you-mean), missing required ones, values of the wrong form, and combinations LXD refuses.
 * `instanceType` is known for an instance's own devices (a profile's serve both kinds).
 * A device without a known `type` gets no problems here: the schema reports that.
 */
export function validateDevice(dev: Record<string, string>, instanceType?: 'container' | 'virtual-machine'): DeviceProblem[] {
  const shape = optionsFor(dev);
  if ('problem' in shape) return shape.problem.message ? [shape.problem] : [];
  const { options, label } = shape;
  const out: DeviceProblem[] = [];
  for (const [k, v] of Object.entries(dev)) {
    if (k === 'type') continue;
    const check = options[k];
    if (!check) {
      if (dev.type === 'nic' && dev.network !== undefined && FROM_NETWORK.includes(k)) {
        out.push({
          schema: true,
          key: k,
          message: `${k} cannot be set on a nic with network: (LXD takes it from the network)`,
          hint: `remove ${k}, or drop network: and give nictype: and parent: instead`,
        });
      } else if (dev.type === 'none') {
        out.push({
          schema: true,
          key: k,
          message: `a device of type none takes no other options: it only hides the device of that name from a profile`,
          hint: `remove ${k}`,
        });
      } else {
        const hint =
          NEWER.has(k) || k.startsWith('initial.')
            ? `${k} came with a newer LXD than 5.0.2 (this daemon refuses it)`
            : (elsewhere(dev.type, k) ?? didYouMean(k, Object.keys(options)));
        out.push({
          schema: true,
          key: k,
          message: `unknown option "${k}" for a ${label} device in LXD 5.0.2`,
          hint:
            hint ??
            `options: ${Object.keys(options)
              .filter((o) => o !== 'nictype' && o !== 'gputype')
              .sort()
              .join(', ')}`,
        });
      }
      continue;
    }
    const why = check(v);
    if (why) out.push({ key: k, atValue: true, message: `invalid ${k} "${v}": ${why}` });
  }
  out.push(...combinationProblems(dev, instanceType));
  return out;
}

/** For an option another nictype or gputype has: "host_name is an option of bridged, p2p, routed nics". */
function elsewhere(type: string, key: string): string | undefined {
  const variants = type === 'nic' ? NIC : type === 'gpu' ? GPU : undefined;
  const owners = Object.entries(variants ?? {})
    .filter(([, o]) => key in o)
    .map(([v]) => v);
  return owners.length > 0 ? `${key} is an option of ${owners.join(', ')} ${type}s (${type === 'nic' ? 'nictype' : 'gputype'}:)` : undefined;
}

/** Required options and options that exclude each other, per type. */
function combinationProblems(dev: Record<string, string>, instanceType: 'container' | 'virtual-machine' | undefined): DeviceProblem[] {
  const has = (k: string) => dev[k] !== undefined && dev[k] !== '';
  const need = (message: string, hint?: string): DeviceProblem[] => [{ schema: true, message, hint }];
  const vmOnly = (what: string): DeviceProblem[] =>
    instanceType === 'container'
      ? [
          {
            message: `${what} works with virtual machines only (LXD 5.0.2: "Unsupported device type" on a container)`,
            hint: 'move it to a virtual machine, or to a profile used only by virtual machines',
          },
        ]
      : [];
  switch (dev.type) {
    case 'disk':
      if (!has('source') && dev.path !== '/')
        return need(
          'a disk needs source: (a host path, or a custom volume with pool:), unless it is the root disk (path: /)',
          'e.g. {type: disk, source: /srv/data, path: /data}',
        );
      if (dev.path === '/' && !has('pool')) return need('the root disk (path: /) needs pool:', 'e.g. {type: disk, path: /, pool: default}');
      for (const k of ['size', 'size.state']) {
        if (has(k) && dev.path !== '/')
          return [{ key: k, message: `only the root disk (path: /) may have ${k} (LXD: "Only the root disk may have a size quota")` }];
      }
      return [];
    case 'nic': {
      const t = dev.nictype;
      if (t && NEEDS_PARENT.has(t) && !has('parent'))
        return need(`a ${t} nic needs parent: (the host interface or bridge)`, t === 'bridged' ? 'or use network: NAME for a managed network' : undefined);
      if (t === 'routed' && has('vlan') && !has('parent'))
        return [
          { key: 'vlan', message: 'vlan: on a routed nic needs parent: (LXD: "The vlan setting can only be used when combined with a parent interface")' },
        ];
      for (const fam of ['ipv4', 'ipv6']) {
        if (t === 'routed' && has(`${fam}.routes`) && !has(`${fam}.address`))
          return [{ key: `${fam}.routes`, message: `${fam}.routes on a routed nic needs ${fam}.address` }];
      }
      if (t === 'ovn' && !dev.network) return need('an ovn nic needs network: (the OVN network)');
      if (t === 'ipvlan' && instanceType === 'virtual-machine') return need('an ipvlan nic works with containers only');
      return [];
    }
    case 'proxy': {
      if (!has('listen') || !has('connect'))
        return need(
          `a proxy needs listen: and connect:${!has('listen') && !has('connect') ? '' : ` (${has('listen') ? 'connect' : 'listen'}: is missing)`}`,
          'e.g. {type: proxy, listen: "tcp:127.0.0.1:8080", connect: "tcp:127.0.0.1:80"}',
        );
      const ports = (a: string) => (a.startsWith('unix:') ? 1 : proxyPortCount(a.slice(a.lastIndexOf(':') + 1)));
      if (proxyAddressProblem(dev.listen) === null && proxyAddressProblem(dev.connect) === null) {
        const l = ports(dev.listen);
        const c = ports(dev.connect);
        if (l !== null && c !== null && c !== 1 && c !== l)
          return [
            { key: 'connect', atValue: true, message: `connect names ${c} ports and listen ${l}: LXD needs one connect port, or as many as listen names` },
          ];
      }
      return [];
    }
    case 'unix-char':
    case 'unix-block':
      return !has('source') && !has('path')
        ? need(
            `a ${dev.type} device needs source: (the host device) or path: (where it appears in the instance), or both`,
            'e.g. {type: unix-char, source: /dev/null, path: /dev/mynull}',
          )
        : [];
    case 'unix-hotplug':
      return !has('vendorid') && !has('productid')
        ? need('a unix-hotplug device needs vendorid: or productid:', 'e.g. {type: unix-hotplug, vendorid: "10de"}')
        : [];
    case 'infiniband':
      if (!has('nictype')) return need('an infiniband device needs nictype: (physical or sriov)');
      return !has('parent') ? need('an infiniband device needs parent: (the host infiniband interface)') : [];
    case 'pci':
      if (!has('address')) return need('a pci device needs address: (such as 0000:01:00.0)');
      return vmOnly('a pci device');
    case 'tpm':
      if (!has('path')) return need('a tpm device needs path: (such as /dev/tpm0)');
      return instanceType === 'container' && !has('pathrm') ? need('a tpm device of a container needs pathrm: too (such as /dev/tpmrm0)') : [];
    case 'gpu': {
      const t = dev.gputype ?? 'physical';
      if (t === 'mdev' && !has('mdev')) return need('an mdev gpu needs mdev: (the profile, such as i915-GVTg_V5_4)');
      if (has('pci')) {
        const clash = ['id', 'vendorid', 'productid'].find(has);
        if (clash) return [{ key: clash, message: `a gpu with pci: cannot also have ${clash}: (pci names the card already)` }];
      }
      if (t === 'mdev' || t === 'sriov') return vmOnly(`an ${t} gpu`);
      return [];
    }
    default:
      return [];
  }
}

/** A canonical spelling of a nic rate for comparison ("10Mbit" and "10000kbit" are the same), or null. */
export function canonicalBitRate(value: string): string | null {
  const b = parseBitRate(value);
  return b === null ? null : `${b}bit`;
}

/**
 * Devices LXD 5.0.2 will not add to or remove from a running container (their CanHotPlug is
 * false; observed: "Failed to add device: Device cannot be added when instance is running").
 * Every other type is hot-plugged: checked on the daemon for disk, nic bridged/macvlan/p2p/routed
 * (network: too), proxy, unix-char, unix-block, unix-hotplug, usb and none; nic physical/sriov,
 * infiniband, gpu physical and tpm were attempted live (LXD went on to start them and failed
 * only for want of the hardware or swtpm here). A changed option of a hot-pluggable device is
 * applied live too: LXD updates it in place (nic limits.*) or unplugs and plugs it again
 * (a nic's hwaddr or name, a unix-char's path).
 */
function coldPlugged(dev: Record<string, string> | undefined): string | undefined {
  if (dev?.type === 'nic' && dev.nictype === 'ipvlan') return 'an ipvlan nic';
  if (dev?.type === 'gpu' && dev.gputype === 'mig') return 'a mig gpu';
  return undefined;
}

/** The name of the device a `devices.<name>.<key>` path is about (names and keys may hold dots: the longest known name wins). */
function deviceOfPath(path: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const n of names) if (path.startsWith(`devices.${n}.`) && (best === undefined || n.length > best.length)) best = n;
  return best;
}

/**
 * How a change of `devices.<name>.<key>` reaches an instance: live on a stopped one; on a running
 * container live, except for the devices LXD cannot hot-plug (coldPlugged); on a running virtual
 * machine at the next start. `live` is the instance's expanded devices (its profiles' included) and
 * `desired` its own: a device in neither (a profile adding one: the profile's blast radius knows
 * only the instance's own devices) is of unknown type, and its change counts as live.
 */
export function deviceImpact(path: string, live: DeviceMap | undefined, desired: DeviceMap | undefined, instanceType: string, running: boolean): FieldImpact {
  if (!running) return { impact: 'live' };
  if (instanceType === 'virtual-machine') return { impact: 'restart' };
  const name = deviceOfPath(path, [...Object.keys(live ?? {}), ...Object.keys(desired ?? {})]);
  const cold = name === undefined ? undefined : (coldPlugged(live?.[name]) ?? coldPlugged(desired?.[name]));
  if (!cold) return { impact: 'live' };
  // Added or removed: one note (on the type) is enough; changed in place: on each changed option.
  const whole = name !== undefined && (live?.[name] === undefined || desired?.[name] === undefined);
  if (whole && !path.endsWith('.type')) return { impact: 'restart' };
  return {
    impact: 'restart',
    note: `LXD 5.0.2 cannot add or remove ${cold} while the container runs ("Device cannot be added when instance is running"): declare state: stopped with this change (lxapply then stops it first), or stop it by hand first`,
  };
}
