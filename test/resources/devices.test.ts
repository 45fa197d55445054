/**
 * Device validation and device impact. The accepted and refused cases are what LXD 5.0.2 said to
 * `lxc config device add` on a container (and `lxc profile device add`), November 2026.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DEVICE_TYPES, deviceImpact, proxyAddressProblem, validateDevice } from '../../src/resources/devices.js';
import { instanceSpec } from '../../src/resources/instance/spec.js';
import { repoRoot } from '../manifest/helpers.js';
import { dInstance, lInstance } from '../planner/builders.js';

/** "key: message" per problem ("-" for the device itself), for compact assertions. */
function problems(dev: Record<string, string>, type?: 'container' | 'virtual-machine'): string[] {
  return validateDevice(dev, type).map((p) => `${p.key ?? '-'}${p.atValue ? '=' : ''}: ${p.message}`);
}

/** Devices the 5.0.2 daemon accepted. */
const ACCEPTED: Array<Record<string, string>> = [
  {
    type: 'disk',
    path: '/mnt',
    source: '/tmp',
    optional: 'true',
    propagation: 'private',
    'raw.mount.options': 'ro',
    shift: 'true',
    'boot.priority': '1',
    recursive: 'true',
    readonly: 'On',
    'limits.read': '10MB',
  },
  { type: 'disk', source: '/tmp' },
  { type: 'disk', path: '/', pool: 'default', size: '10GB' },
  {
    type: 'nic',
    network: 'lxdbr0',
    'limits.ingress': '10Mbit',
    'limits.egress': '1Gbit',
    'ipv4.routes.external': '10.0.0.0/24',
    'security.port_isolation': 'true',
    vlan: '5',
    'vlan.tagged': '5,6',
    'boot.priority': '1',
    'security.ipv4_filtering': 'true',
    'ipv4.address': '10.213.7.5',
  },
  {
    type: 'nic',
    nictype: 'bridged',
    parent: 'lxdbr0',
    'maas.subnet.ipv4': 'x',
    host_name: 'veth1',
    'ipv6.routes': 'fd00::/64',
    'ipv6.routes.external': 'fd01::/64',
    'security.ipv6_filtering': 'true',
    'security.mac_filtering': 'true',
    'limits.max': '1Gbit',
  },
  {
    type: 'nic',
    nictype: 'p2p',
    'limits.max': '10Mbit',
    'boot.priority': '1',
    'ipv4.routes': '10.0.0.0/24',
    host_name: 'veth9',
    name: 'eth1',
    hwaddr: '00:16:3e:00:00:01',
    mtu: '1400',
  },
  { type: 'nic', nictype: 'macvlan', parent: 'eth0', gvrp: 'true', 'maas.subnet.ipv4': 'x', 'boot.priority': '1', vlan: '3', mtu: '1400' },
  {
    type: 'nic',
    nictype: 'ipvlan',
    parent: 'eth0',
    mode: 'l2',
    'ipv4.address': '10.0.0.5',
    'ipv4.host_table': '100',
    gvrp: 'true',
    'ipv4.gateway': 'auto',
    vlan: '4',
    mtu: '1400',
    hwaddr: '00:16:3e:00:00:01',
    name: 'eth1',
    'ipv6.address': 'fd00::5',
    'ipv6.gateway': 'auto',
  },
  {
    type: 'nic',
    nictype: 'routed',
    'ipv4.address': '10.0.0.7',
    'ipv4.neighbor_probe': 'false',
    'ipv4.host_address': '169.254.0.1',
    'limits.ingress': '1Mbit',
    'ipv4.host_table': '100',
    gvrp: 'true',
    'ipv4.gateway': 'none',
    'ipv6.gateway': 'auto',
    parent: 'eth0',
  },
  { type: 'nic', nictype: 'physical', parent: 'eth0', gvrp: 'true', mtu: '1400', 'boot.priority': '1', 'maas.subnet.ipv4': 'x', hwaddr: '00:16:3e:00:00:01' },
  { type: 'nic', nictype: 'sriov', parent: 'eth0', 'security.mac_filtering': 'true', 'boot.priority': '1', vlan: '3', mtu: '1400', 'maas.subnet.ipv4': 'x' },
  { type: 'proxy', listen: 'tcp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80', bind: 'container', nat: 'true', proxy_protocol: 'true' },
  { type: 'proxy', listen: 'tcp:127.0.0.1:8080-8090', connect: 'tcp:127.0.0.1:80', bind: 'instance' },
  { type: 'proxy', listen: 'tcp:127.0.0.1:8080,8090', connect: 'tcp:127.0.0.1:80-81' },
  { type: 'proxy', listen: 'tcp:[::1]:8080', connect: 'tcp:[::1]:80' },
  { type: 'proxy', listen: 'unix:/tmp/x.sock', connect: 'tcp:127.0.0.1:80', 'security.uid': '1000', 'security.gid': '1000', mode: '0600', uid: '1', gid: '1' },
  { type: 'proxy', listen: 'unix:@abstract', connect: 'unix:/run/x.sock' },
  { type: 'proxy', listen: 'udp:127.0.0.1:53', connect: 'tcp:127.0.0.1:53' },
  { type: 'proxy', listen: 'tcp:0.0.0.0:8080', connect: 'unix:/run/x.sock' },
  { type: 'unix-char', source: '/dev/null', path: '/dev/mynull' },
  { type: 'unix-char', path: '/dev/foo', major: '1', minor: '3', uid: '0', gid: '0', mode: '0666', required: 'false' },
  { type: 'unix-char', source: '/dev/null', mode: '17777', uid: '4294967295' },
  { type: 'unix-block', source: '/dev/loop0', path: '/dev/myloop' },
  { type: 'unix-hotplug', vendorid: '1234', productid: '5678', required: 'false', uid: '0', gid: '0', mode: '0660' },
  { type: 'usb', vendorid: '1234', productid: '5678', required: 'false', uid: '0', gid: '0', mode: '0660' },
  { type: 'usb' },
  { type: 'gpu' },
  { type: 'gpu', gputype: 'mig', 'mig.ci': '0', 'mig.gi': '0', pci: '0000:00:02.0' },
  { type: 'gpu', gputype: 'mdev', mdev: 'i915-GVTg_V5_4', pci: '0000:00:02.0' },
  { type: 'infiniband', nictype: 'physical', parent: 'ib0' },
  { type: 'tpm', path: '/dev/tpm0', pathrm: '/dev/tpmrm0' },
  { type: 'pci', address: '0000:00:02.0' },
  { type: 'none' },
];

test('the schema offers exactly the device types the table knows, and each has its checks', () => {
  const schema = JSON.parse(readFileSync(`${repoRoot()}/schemas/manifest.schema.json`, 'utf8')) as {
    definitions: { device: { properties: { type: { enum: string[] } } } };
  };
  assert.equal([...schema.definitions.device.properties.type.enum].sort(), [...DEVICE_TYPES].sort());
  // A device of a known type with an option no type has: reported as unknown (so every type has a table).
  for (const type of DEVICE_TYPES)
    assert.ok(
      validateDevice({ type, ...(type === 'nic' ? { nictype: 'p2p' } : {}), zzzz: '1' }).some((p) => p.key === 'zzzz' && p.schema),
      type,
    );
});

test('every device the 5.0.2 daemon accepted passes', () => {
  for (const dev of ACCEPTED) assert.equal(problems(dev), [], JSON.stringify(dev));
});

test('options 5.0.2 refuses though the newer reference lists them are unknown, with the options there are', () => {
  assert.equal(problems({ type: 'nic', network: 'lxdbr0', 'limits.priority': '3' }).length, 1);
  assert.match(
    problems({ type: 'nic', nictype: 'p2p', 'limits.priority': '1' })[0],
    /^limits.priority: unknown option "limits.priority" for a nic \(p2p\) device in LXD 5.0.2$/,
  );
  for (const [dev, key] of [
    [{ type: 'nic', nictype: 'bridged', parent: 'x', 'queue.tx.length': '100' }, 'queue.tx.length'],
    [{ type: 'disk', path: '/mnt', source: '/tmp', 'io.cache': 'none' }, 'io.cache'],
    [{ type: 'disk', path: '/mnt', source: '/tmp', 'initial.size': '1GB' }, 'initial.size'],
    [{ type: 'disk', path: '/mnt', source: '/tmp', 'source.type': 'custom' }, 'source.type'],
    [{ type: 'unix-hotplug', vendorid: '1234', subsystem: 'usb' }, 'subsystem'],
    [{ type: 'usb', vendorid: '1234', busnum: '1' }, 'busnum'],
    [{ type: 'nic', nictype: 'macvlan', parent: 'eth0', mode: 'bridge' }, 'mode'],
    [{ type: 'nic', nictype: 'sriov', parent: 'eth0', gvrp: 'true' }, 'gvrp'],
    [{ type: 'nic', nictype: 'physical', parent: 'eth0', 'security.mac_filtering': 'true' }, 'security.mac_filtering'],
    [{ type: 'nic', nictype: 'ipvlan', parent: 'eth0', host_name: 'x' }, 'host_name'],
    [{ type: 'nic', nictype: 'routed', 'boot.priority': '1' }, 'boot.priority'],
    [{ type: 'nic', nictype: 'p2p', parent: 'x' }, 'parent'],
    [{ type: 'nic', nictype: 'p2p', 'ipv4.routes.external': '10.0.0.0/24' }, 'ipv4.routes.external'],
    [{ type: 'gpu', gputype: 'mdev', mdev: 'x', uid: '0' }, 'uid'],
  ] as Array<[Record<string, string>, string]>) {
    const p = validateDevice(dev);
    assert.equal(
      p.map((x) => [x.key, x.schema]),
      [[key, true]],
      JSON.stringify(dev),
    );
  }
  const typo = validateDevice({ type: 'nic', network: 'lxdbr0', 'limits.ingres': '10Mbit' });
  assert.is(typo[0].hint, 'did you mean "limits.ingress"?');
  assert.is(
    validateDevice({ type: 'nic', nictype: 'macvlan', parent: 'eth0', host_name: 'x' })[0].hint,
    'host_name is an option of bridged, p2p, routed, ovn nics (nictype:)',
  );
  assert.is(validateDevice({ type: 'gpu', gputype: 'mdev', mdev: 'x', uid: '0' })[0].hint, 'uid is an option of physical gpus (gputype:)');
  const far = validateDevice({ type: 'tpm', path: '/dev/tpm0', zzzzzzzz: '1' });
  assert.is(far[0].hint, 'options: path, pathrm');
});

test('a nic with network: may not set what the network decides; type none takes nothing else', () => {
  assert.equal(problems({ type: 'nic', network: 'lxdbr0', mtu: '1400' }), ['mtu: mtu cannot be set on a nic with network: (LXD takes it from the network)']);
  assert.equal(problems({ type: 'nic', network: 'lxdbr0', nictype: 'bridged' }).length, 1);
  assert.equal(problems({ type: 'nic', network: 'lxdbr0', parent: 'lxdbr0' }).length, 1);
  assert.equal(problems({ type: 'none', path: '/x' }), [
    'path: a device of type none takes no other options: it only hides the device of that name from a profile',
  ]);
});

test('missing required options are reported at the device', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ type: 'disk', path: '/mnt' }, /a disk needs source:/],
    [{ type: 'disk', path: '/' }, /the root disk \(path: \/\) needs pool:/],
    [{ type: 'nic' }, /a nic needs network: .* or nictype:/],
    [{ type: 'nic', nictype: 'bridged' }, /a bridged nic needs parent:/],
    [{ type: 'nic', nictype: 'macvlan' }, /a macvlan nic needs parent:/],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080' }, /a proxy needs listen: and connect: \(connect: is missing\)/],
    [{ type: 'unix-char' }, /a unix-char device needs source: .* or path:/],
    [{ type: 'unix-block' }, /a unix-block device needs source:/],
    [{ type: 'unix-hotplug' }, /a unix-hotplug device needs vendorid: or productid:/],
    [{ type: 'infiniband', parent: 'ib0' }, /an infiniband device needs nictype:/],
    [{ type: 'infiniband', nictype: 'physical' }, /an infiniband device needs parent:/],
    [{ type: 'pci' }, /a pci device needs address:/],
    [{ type: 'tpm' }, /a tpm device needs path:/],
    [{ type: 'gpu', gputype: 'mdev', pci: '0000:00:02.0' }, /an mdev gpu needs mdev:/],
  ];
  for (const [dev, re] of cases) {
    const p = validateDevice(dev);
    assert.is(p.length, 1, JSON.stringify(dev));
    assert.is(p[0].key, undefined);
    assert.ok(p[0].schema);
    assert.match(p[0].message, re);
  }
  // A profile's tpm may leave out pathrm (LXD accepted it); a container's may not.
  assert.equal(problems({ type: 'tpm', path: '/dev/tpm0' }), []);
  assert.equal(problems({ type: 'tpm', path: '/dev/tpm0' }, 'container'), ['-: a tpm device of a container needs pathrm: too (such as /dev/tpmrm0)']);
});

test('values of the wrong form are reported at the value', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ type: 'disk', path: '/mnt', source: '/tmp', readonly: 'maybe' }, 'readonly'],
    [{ type: 'nic', network: 'br', hwaddr: 'zz' }, 'hwaddr'],
    [{ type: 'nic', network: 'br', 'limits.ingress': '10mbit' }, 'limits.ingress'],
    [{ type: 'nic', network: 'br', 'limits.egress': '0' }, 'limits.egress'],
    [{ type: 'nic', nictype: 'bridged', parent: 'x', 'boot.priority': 'x' }, 'boot.priority'],
    [{ type: 'nic', nictype: 'bridged', parent: 'x', vlan: '5000' }, 'vlan'],
    [{ type: 'nic', nictype: 'bridged', parent: 'x', mtu: '100' }, 'mtu'],
    [{ type: 'nic', nictype: 'ipvlan', parent: 'eth0', mode: 'l3' }, 'mode'],
    [{ type: 'nic', nictype: 'bridgd', parent: 'x' }, 'nictype'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1', connect: 'tcp:127.0.0.1:80' }, 'listen'],
    [{ type: 'proxy', listen: 'sctp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80' }, 'listen'],
    [{ type: 'proxy', listen: 'tcp:localhost:8080', connect: 'tcp:127.0.0.1:80' }, 'listen'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80', bind: 'banana' }, 'bind'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80', mode: 'abc' }, 'mode'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80', 'security.uid': 'abc' }, 'security.uid'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080', connect: 'tcp:127.0.0.1:80', nat: 'maybe' }, 'nat'],
    [{ type: 'proxy', listen: 'tcp:127.0.0.1:8080-8081', connect: 'tcp:127.0.0.1:80-82' }, 'connect'],
    [{ type: 'unix-char', source: '/dev/null', major: 'abc' }, 'major'],
    [{ type: 'unix-char', source: '/dev/null', mode: '999' }, 'mode'],
    [{ type: 'unix-char', source: '/dev/null', uid: '-1' }, 'uid'],
    [{ type: 'unix-hotplug', vendorid: 'zz' }, 'vendorid'],
    [{ type: 'usb', vendorid: '10DE' }, 'vendorid'],
    [{ type: 'gpu', pci: 'xyz' }, 'pci'],
    [{ type: 'gpu', gputype: 'mig', 'mig.uuid': 'MIG-abc', pci: '0000:00:02.0' }, 'mig.uuid'],
    [{ type: 'gpu', gputype: 'foo' }, 'gputype'],
    [{ type: 'infiniband', nictype: 'sriov', parent: 'ib0', hwaddr: '00:16:3e:00:00:01' }, 'hwaddr'],
    [{ type: 'pci', address: 'zz' }, 'address'],
  ];
  for (const [dev, key] of cases) {
    const p = validateDevice(dev);
    assert.equal(
      p.map((x) => [x.key, x.atValue ?? false]),
      [[key, true]],
      JSON.stringify(dev),
    );
  }
  assert.match(validateDevice({ type: 'nic', nictype: 'bridgd', parent: 'x' })[0].hint ?? '', /did you mean "bridged"/);
});

test('combinations LXD refuses', () => {
  assert.equal(problems({ type: 'disk', path: '/mnt', source: '/tmp', size: '10GB' }), [
    'size: only the root disk (path: /) may have size (LXD: "Only the root disk may have a size quota")',
  ]);
  assert.equal(problems({ type: 'gpu', id: '0', pci: '0000:00:02.0' }), ['id: a gpu with pci: cannot also have id: (pci names the card already)']);
  assert.equal(problems({ type: 'gpu', gputype: 'sriov', pci: '0000:00:02.0', productid: '1234' }).length, 1);
  assert.equal(
    problems({ type: 'nic', nictype: 'routed', 'ipv4.address': '10.0.0.7', vlan: '5' }).map((p) => p.split(':')[0]),
    ['vlan'],
  );
  assert.equal(problems({ type: 'pci', address: '0000:00:02.0' }, 'container').length, 1);
  assert.equal(problems({ type: 'gpu', gputype: 'mdev', mdev: 'x' }, 'container').length, 1);
  assert.equal(problems({ type: 'gpu', gputype: 'mdev', mdev: 'x' }, 'virtual-machine'), []);
});

test('proxy addresses', () => {
  for (const ok of ['tcp:127.0.0.1:80', 'udp:0.0.0.0:53', 'tcp:[::1]:80', 'tcp:[::]:80-90,100', 'unix:/run/a.sock', 'unix:@x', 'tcp:127.0.0.1:99999']) {
    assert.is(proxyAddressProblem(ok), null, ok);
  }
  for (const bad of ['', 'tcp', 'tcp:127.0.0.1', 'tcp:host:80', 'tcp:256.0.0.1:80', 'tcp:127.0.0.1:http', 'tcp:127.0.0.1:90-80', 'unix:', 'http://x']) {
    assert.type(proxyAddressProblem(bad), 'string', bad);
  }
});

test('device impact: live on a container, except ipvlan nics and mig gpus; at next start on a running VM', () => {
  const ipvlan = { type: 'nic', nictype: 'ipvlan', parent: 'eth0' };
  const proxy = { type: 'proxy', listen: 'tcp:127.0.0.1:1', connect: 'tcp:127.0.0.1:2' };
  assert.equal(deviceImpact('devices.web.listen', {}, { web: proxy }, 'container', true), { impact: 'live' });
  assert.is(deviceImpact('devices.eth1.nictype', {}, { eth1: ipvlan }, 'container', true).impact, 'restart');
  assert.is(deviceImpact('devices.eth1.nictype', { eth1: ipvlan }, {}, 'container', true).impact, 'restart');
  assert.match(deviceImpact('devices.eth1.type', { eth1: ipvlan }, {}, 'container', true).note ?? '', /declare state: stopped with this change/);
  // Added or removed whole: the note is on the type only; changed in place: on each option.
  assert.equal(deviceImpact('devices.eth1.parent', { eth1: ipvlan }, {}, 'container', true), { impact: 'restart' });
  assert.match(
    deviceImpact('devices.eth1.parent', { eth1: ipvlan }, { eth1: { ...ipvlan, parent: 'eth9' } }, 'container', true).note ?? '',
    /declare state: stopped with this change/,
  );
  assert.is(deviceImpact('devices.g.pci', {}, { g: { type: 'gpu', gputype: 'mig' } }, 'container', true).impact, 'restart');
  assert.equal(deviceImpact('devices.eth1.nictype', {}, { eth1: ipvlan }, 'container', false), { impact: 'live' });
  assert.equal(deviceImpact('devices.web.listen', {}, { web: proxy }, 'virtual-machine', true), { impact: 'restart' });
  // Names with dots: the longest name that prefixes the path is the device.
  assert.is(deviceImpact('devices.a.b.mode', {}, { a: proxy, 'a.b': ipvlan }, 'container', true).impact, 'restart');
  // A device from a profile (not in the instance's own maps) is live on a container.
  assert.equal(deviceImpact('devices.fromprofile.path', undefined, undefined, 'container', true), { impact: 'live' });
});

test("the instance spec asks deviceImpact with the expanded devices: a profile's ipvlan nic counts", () => {
  const ipvlan = { type: 'nic', nictype: 'ipvlan', parent: 'eth0' };
  const l = lInstance('web-1', { status: 'Running', devices: {}, expanded_devices: { eth1: ipvlan } });
  assert.is(instanceSpec.fieldImpact('devices.eth1.type', l, dInstance('web-1', { devices: { eth1: { type: 'none' } } })).impact, 'restart');
  assert.is(instanceSpec.fieldImpact('devices.eth1.type', l, dInstance('web-1', { state: 'stopped' })).impact, 'live');
});

test.run();
