/**
 * Networks, storage pools and custom volumes in the planner: order (what is used is made first
 * and deleted last), replace fields, keys LXD fills in, the built-in default pool, references,
 * and the disk size warning. Whole rendered plans, so wording and order changes show.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { fromPlanDocument, toPlanDocument } from '../../src/workflow/plan-file.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import {
  dImage,
  dInstance,
  dNetwork,
  dPool,
  dProfile,
  dVolume,
  FP_A,
  lImage,
  lInstance,
  live,
  lNetwork,
  lPool,
  lProfile,
  lVolume,
  manifest,
  state,
} from './builders.js';
import { planError, render } from './builders.js';

const BRIDGE = { 'ipv4.address': '10.10.10.1/24', 'ipv4.nat': 'true', 'ipv4.dhcp.ranges': '10.10.10.100-10.10.10.200', 'dns.domain': 'lab' };
const net = (config: Record<string, string> = BRIDGE) => dNetwork('lxdbr1', { config });
const fast = () => dPool('fast', { config: { source: '/srv/pools/fast' } });
const data = () => dVolume('fast/data', { config: { size: '1GB' } });
const DEVICES = {
  eth0: { type: 'nic', network: 'lxdbr1' },
  data: { type: 'disk', pool: 'fast', source: 'data', path: '/data' },
  root: { type: 'disk', path: '/', pool: 'fast' },
};
const web = (devices: Record<string, Record<string, string>> = DEVICES) => dInstance('web-1', { devices });

/** LXD after lxplan made them: with what LXD adds itself (a bridge's IPv6, volatile keys once mounted). */
const liveNet = (config: Record<string, string> = BRIDGE) =>
  lNetwork('lxdbr1', { config: { ...config, 'ipv6.address': 'fd42:4242:4242:1010::1/64', 'ipv6.nat': 'true' } });
const liveFast = () => lPool('fast', { config: { source: '/srv/pools/fast' } });
const liveData = () => lVolume('fast/data', { config: { size: '1GB', 'volatile.idmap.last': '[]', 'volatile.idmap.next': '[]' } });
const liveWeb = (devices: Record<string, Record<string, string>> = DEVICES) => lInstance('web-1', { devices });
const ALL = ['storage_pool.fast', 'network.lxdbr1', 'storage_volume.fast/data', 'image.busybox', 'instance.web-1'];

const dependsOn = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address)?.dependsOn;

test('on an empty LXD: pools and networks first, then volumes, then the instance using all three', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], networks: [net()], storagePools: [fast()], storageVolumes: [data()], instances: [web()] }),
    live: live(),
    state: state(),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + storage_pool fast
      + driver:        dir
      + config.source: /srv/pools/fast
  + network lxdbr1
      + type:                    bridge
      + config.dns.domain:       lab
      + config.ipv4.address:     10.10.10.1/24
      + config.ipv4.dhcp.ranges: 10.10.10.100-10.10.10.200
      + config.ipv4.nat:         true
  + storage_volume fast/data
      + content_type: filesystem
      + config.size:  1GB (not enforced unless the filesystem of dir pool "fast" has project quotas: LXD stores the size and skips the quota)
  + image busybox
      + fingerprint: aaaaaaaaaaaa
      + public:      false
  + instance web-1
      + image:                busybox
      + type:                 container
      + profiles:             [default]
      + state:                running
      + devices.data.path:    /data
      + devices.data.pool:    fast
      + devices.data.source:  data
      + devices.data.type:    disk
      + devices.eth0.network: lxdbr1
      + devices.eth0.type:    nic
      + devices.root.path:    /
      + devices.root.pool:    fast
      + devices.root.type:    disk

Plan: 5 to add, 0 to change, 0 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'storage_volume.fast/data'), ['storage_pool.fast']);
  assert.equal(dependsOn(input, 'instance.web-1'), ['image.busybox', 'network.lxdbr1', 'storage_pool.fast', 'storage_volume.fast/data']);
  assert.equal(dependsOn(input, 'network.lxdbr1'), []);
});

test('a nic naming its bridge as parent (nictype bridged) and a profile holding the devices order the same way', () => {
  const profile = dProfile('lan', {
    devices: { eth0: { type: 'nic', nictype: 'bridged', parent: 'lxdbr1' }, root: { type: 'disk', path: '/', pool: 'fast' } },
  });
  const inst = dInstance('web-1', { profiles: ['lan'] });
  const input = {
    manifest: manifest({ images: [dImage('busybox')], networks: [net()], storagePools: [fast()], profiles: [profile], instances: [inst] }),
    live: live(),
    state: state(),
  };
  assert.equal(dependsOn(input, 'profile.lan'), ['network.lxdbr1', 'storage_pool.fast']);
  assert.equal(dependsOn(input, 'instance.web-1'), ['image.busybox', 'profile.lan']);
  // A parent that is a host interface is no reference error, and orders nothing.
  const host = dProfile('lan', { devices: { eth0: { type: 'nic', nictype: 'macvlan', parent: 'eth0' } } });
  const p = plan({ manifest: manifest({ profiles: [host] }), live: live(), state: state() });
  assert.equal(
    p.changes.map((c) => [c.address, c.dependsOn]),
    [['profile.lan', []]],
  );
});

test('after apply: no changes, whatever keys LXD filled in (IPv6 of a bridge, source of a pool, volatile keys of a volume)', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], networks: [net()], storagePools: [dPool('fast')], storageVolumes: [data()], instances: [web()] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      networks: [liveNet()],
      storagePools: [liveFast()],
      storageVolumes: [liveData()],
      instances: [liveWeb()],
    }),
    state: state(...ALL),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test('a key LXD fills in is owned once declared: ipv6.address: none turns IPv6 off', () => {
  const input = {
    manifest: manifest({ networks: [net({ ...BRIDGE, 'ipv6.address': 'none' })] }),
    live: live({ networks: [liveNet()] }),
    state: state('network.lxdbr1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ network lxdbr1 (live)
      ~ config.ipv6.address: fd42:4242:4242:1010::1/64 -> none (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a network config change applies live; a key set by hand shows as a removal', () => {
  const input = {
    manifest: manifest({ networks: [net({ ...BRIDGE, 'dns.domain': 'lab.example' })] }),
    live: live({ networks: [liveNet({ ...BRIDGE, 'bridge.mtu': '1400' })] }),
    state: state('network.lxdbr1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ network lxdbr1 (live)
      - config.bridge.mtu: 1400 (live)
      ~ config.dns.domain: lab -> lab.example (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('creation-only fields replace: network type, pool driver and source, volume content type', () => {
  const input = {
    manifest: manifest({
      networks: [dNetwork('lxdbr1', { type: 'macvlan', config: { parent: 'eth0' } })],
      storagePools: [dPool('fast', { driver: 'btrfs', config: { source: '/srv/pools/fast2' } })],
      storageVolumes: [dVolume('default/data', { contentType: 'block', config: { size: '1GB' } })],
    }),
    live: live({
      networks: [lNetwork('lxdbr1', { config: { parent: 'eth0' } })],
      storagePools: [liveFast()],
      storageVolumes: [lVolume('default/data', { config: { size: '1GB' } })],
    }),
    state: state('network.lxdbr1', 'storage_pool.fast', 'storage_volume.default/data'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  -/+ storage_pool fast (replace: driver dir -> btrfs, config.source /srv/pools/fast -> /srv/pools/fast2)
      ~ driver:        dir -> btrfs (replace; LXD deletes a pool only when it holds no volumes and no instance uses it)
      ~ config.source: /srv/pools/fast -> /srv/pools/fast2 (replace; LXD deletes a pool only when it holds no volumes and no instance uses it)
  -/+ network lxdbr1 (replace: type bridge -> macvlan)
      ~ type: bridge -> macvlan (replace; LXD deletes a network only when nothing uses it)
  -/+ storage_volume default/data (replace: content_type filesystem -> block)
      ~ content_type: filesystem -> block (replace; the volume is deleted and created empty: its data is lost)

Plan: 3 to add, 0 to change, 3 to destroy.
`,
  );
});

test('a pool cannot be replaced with a volume in it, even one replaced too: each replace is one step', () => {
  const e = planError({
    manifest: manifest({ storagePools: [dPool('fast', { driver: 'btrfs' })], storageVolumes: [dVolume('fast/data', { contentType: 'block' })] }),
    live: live({ storagePools: [liveFast()], storageVolumes: [liveData()] }),
    state: state('storage_pool.fast', 'storage_volume.fast/data'),
  });
  assert.is(e.message, 'storage_pool "fast" cannot be replaced (LXD deletes it first): storage_volume "fast/data" uses it');
});

test('replacing what an instance keeps using is refused: LXD deletes it first', () => {
  const e = planError({
    manifest: manifest({
      images: [dImage('busybox')],
      networks: [net()],
      storagePools: [dPool('fast')],
      storageVolumes: [dVolume('fast/data', { contentType: 'block', config: { size: '1GB' } })],
      instances: [web()],
    }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      networks: [liveNet()],
      storagePools: [liveFast()],
      storageVolumes: [liveData()],
      instances: [liveWeb()],
    }),
    state: state(...ALL),
  });
  assert.is(e.code, 'plan.conflict');
  assert.is(
    e.describe(),
    'storage_volume "fast/data" cannot be replaced (LXD deletes it first): instance "web-1" uses it\n  hint: detach it from instance "web-1" first (apply without it), then make the change that replaces it',
  );
});

test('removing everything deletes in reverse: the instance first, then the volume, then the pool; the network after the instance', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      networks: [liveNet()],
      storagePools: [liveFast()],
      storageVolumes: [liveData()],
      instances: [liveWeb()],
    }),
    state: state(...ALL),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - storage_pool fast
  - network lxdbr1
  - storage_volume fast/data
  - instance web-1

Plan: 0 to add, 0 to change, 4 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'instance.web-1'), []);
  assert.equal(dependsOn(input, 'storage_volume.fast/data'), ['instance.web-1']);
  assert.equal(dependsOn(input, 'network.lxdbr1'), ['instance.web-1']);
  assert.equal(dependsOn(input, 'storage_pool.fast')?.sort(), ['instance.web-1', 'storage_volume.fast/data']);
});

test('detaching: the instance leaves the network and the volume before they are deleted', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [web({ root: { type: 'disk', path: '/', pool: 'default' } })] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      networks: [liveNet()],
      storagePools: [liveFast()],
      storageVolumes: [liveData()],
      instances: [liveWeb({ ...DEVICES, root: { type: 'disk', path: '/', pool: 'default' } })],
    }),
    state: state(...ALL),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - storage_pool fast
  - network lxdbr1
  - storage_volume fast/data
  ~ instance web-1 (live)
      - devices.data.path:    /data (live)
      - devices.data.pool:    fast (live)
      - devices.data.source:  data (live)
      - devices.data.type:    disk (live)
      - devices.eth0.network: lxdbr1 (live)
      - devices.eth0.type:    nic (live)

Plan: 0 to add, 1 to change, 3 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'storage_volume.fast/data'), ['instance.web-1']);
  assert.equal(dependsOn(input, 'network.lxdbr1'), ['instance.web-1']);
});

test('a network, pool or volume still used by an instance lxplan does not manage is never deleted', () => {
  const e = planError({
    manifest: manifest(),
    live: live({ networks: [liveNet()], instances: [lInstance('handmade', { devices: { eth0: { type: 'nic', network: 'lxdbr1' } } })] }),
    state: state('network.lxdbr1'),
  });
  assert.is(e.message, 'network "lxdbr1" cannot be deleted: instance "handmade" uses it and is not managed by lxplan');
});

test('the default pool is adopted when declared, never deleted, only forgotten', () => {
  const adopt = plan({ manifest: manifest({ storagePools: [dPool('default', { config: { 'volume.size': '5GB' } })] }), live: live(), state: state() });
  assert.is(
    renderPlan(adopt),
    `lxplan will make these changes:

  ~ storage_pool default (live)  # built-in storage_pool: lxplan starts managing it
      + config.volume.size: 5GB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  assert.is(adopt.changes[0].stateOp, 'add');
  // Declared as it is: nothing to change, only recorded (its source is LXD's: not declared, not compared).
  const asIs = plan({ manifest: manifest({ storagePools: [dPool('default')] }), live: live(), state: state() });
  assert.is(
    renderPlan(asIs),
    `State only (LXD is not touched):
  storage_pool default: built-in storage_pool: lxplan starts managing it

No changes. LXD matches the manifests.
`,
  );
  const forget = plan({ manifest: manifest(), live: live(), state: state('storage_pool.default') });
  assert.is(forget.changes[0].action, 'noop');
  assert.is(forget.changes[0].stateOp, 'remove');
  const destroy = plan({
    manifest: manifest({ storagePools: [dPool('default')] }),
    live: live(),
    state: state('storage_pool.default'),
    options: { destroy: true },
  });
  assert.equal(
    destroy.changes.map((c) => [c.address, c.action, c.stateOp]),
    [['storage_pool.default', 'noop', 'remove']],
  );
});

test('an existing network or pool lxplan does not manage is a conflict, not adopted', () => {
  const e = planError({
    manifest: manifest({ networks: [net()], storagePools: [fast()] }),
    live: live({ networks: [liveNet()], storagePools: [liveFast()] }),
    state: state(),
  });
  assert.is(e.code, 'plan.conflict');
  assert.is(e.message, 'storage_pool "fast" already exists in LXD and is not managed by lxplan; it will not be overwritten');
  assert.is(e.more[0].message, 'network "lxdbr1" already exists in LXD and is not managed by lxplan; it will not be overwritten');
});

test('a nic network, a disk pool or a custom volume that exists nowhere is a located reference error', () => {
  const inst = dInstance('web-1', {
    devices: {
      eth0: { type: 'nic', network: 'lxdbr9' },
      data: { type: 'disk', pool: 'fast', source: 'dta', path: '/data' },
    },
    keyAt: { 'devices.eth0.network': { file: 'lxplan.yaml', line: 15, col: 34 }, 'devices.data.source': { file: 'lxplan.yaml', line: 16, col: 44 } },
  });
  const e = planError({
    manifest: manifest({
      images: [dImage('busybox')],
      networks: [net()],
      storagePools: [fast()],
      storageVolumes: [data(), dVolume('slow/logs')],
      instances: [inst],
    }),
    live: live(),
    state: state(),
  });
  assert.equal(
    [e, ...e.more].map((x) => x.describe()),
    [
      'lxplan.yaml:30:3: storage_volume "slow/logs" uses storage pool "slow", which is neither in the manifests nor in LXD\n  hint: define it under storage_pools:, or create it in LXD first',
      'lxplan.yaml:15:34: device "eth0" of instance "web-1" uses network "lxdbr9", which is neither in the manifests nor in LXD\n  hint: did you mean "lxdbr1"?',
      'lxplan.yaml:16:44: device "data" of instance "web-1" uses custom volume "fast/dta", which is neither in the manifests nor in LXD\n  hint: did you mean "fast/data"?',
    ],
  );
});

test('the root disk size on a dir pool carries a note: LXD does not enforce it without project quotas', () => {
  const input = {
    manifest: manifest({ instances: [dInstance('web-1', { devices: { root: { type: 'disk', path: '/', pool: 'default', size: '20GB' } } })] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      instances: [lInstance('web-1', { devices: { root: { type: 'disk', path: '/', pool: 'default', size: '10GB' } } })],
    }),
    state: state('instance.web-1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ devices.root.size: 10GB -> 20GB (live; not enforced unless the filesystem of dir pool "default" has project quotas: LXD stores the size and skips the quota)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  // On a pool whose driver enforces sizes, no note.
  const zfs = render({ ...input, live: { ...input.live, storagePools: { default: lPool('default', { driver: 'zfs' }) } } });
  assert.ok(zfs.includes('      ~ devices.root.size: 10GB -> 20GB (live)\n'), zfs);
});

test('nic rates and disk sizes that mean the same are no change', () => {
  const devices = { eth0: { type: 'nic', network: 'lxdbr1', 'limits.ingress': '10Mbit' }, root: { type: 'disk', path: '/', pool: 'default', size: '10GB' } };
  const input = {
    manifest: manifest({ networks: [net()], instances: [dInstance('web-1', { devices })] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      networks: [liveNet()],
      profiles: [lProfile('x')],
      instances: [
        lInstance('web-1', {
          devices: {
            eth0: { type: 'nic', network: 'lxdbr1', 'limits.ingress': '10000kbit' },
            root: { type: 'disk', path: '/', pool: 'default', size: '10000000000' },
          },
        }),
      ],
    }),
    state: state('network.lxdbr1', 'instance.web-1'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test("a volume size from the pool default is LXD's; a declared size is compared", () => {
  const pool = lPool('fast', { config: { source: '/srv/pools/fast', 'volume.size': '5GB' } });
  const input = {
    manifest: manifest({
      storagePools: [dPool('fast', { config: { source: '/srv/pools/fast', 'volume.size': '5GB' } })],
      storageVolumes: [dVolume('fast/logs'), dVolume('fast/data', { config: { size: '1GB' } })],
    }),
    live: live({
      storagePools: [pool],
      storageVolumes: [lVolume('fast/logs', { config: { size: '5GB' } }), lVolume('fast/data', { config: { size: '5GB' } })],
    }),
    state: state('storage_pool.fast', 'storage_volume.fast/logs', 'storage_volume.fast/data'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ storage_volume fast/data (live)
      ~ config.size: 5GB -> 1GB (live; not enforced unless the filesystem of dir pool "fast" has project quotas: LXD stores the size and skips the quota)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a plan with the three kinds round-trips through the JSON document (saved plans)', () => {
  const p = plan({
    manifest: manifest({ images: [dImage('busybox')], networks: [net()], storagePools: [fast()], storageVolumes: [data()], instances: [web()] }),
    live: live(),
    state: state(),
  });
  const doc = toPlanDocument(p, { lxplanVersion: '0.0.0' });
  assert.equal(
    doc.changes.map((c) => c.address),
    ALL,
  );
  const back = fromPlanDocument(JSON.parse(JSON.stringify(doc)), 'plan.json');
  assert.equal(back.changes, JSON.parse(JSON.stringify(p.changes)));
});

test.run();
