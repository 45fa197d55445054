/**
 * The config key check per kind of object (src/resources/config-keys.ts). The ACCEPTED lists are
 * keys the LXD 5.0.2 daemon here took (or refused only for the test value, never as an unknown
 * key) in December 2026: a profile and a container in a throwaway project, bridge, macvlan, sriov
 * and physical networks, a dir pool and a volume on it. The check must never refuse one of them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configKeyProblem, type ConfigOwner } from '../../src/resources/config-keys.js';
import { instanceKeyImpact } from '../../src/resources/instance/keys.js';
import { INSTANCE_KEYS } from '../../src/resources/lxd-config-keys.js';
import { BOOL_KEYS, INT_KEYS } from '../../src/resources/units.js';
import { repoRoot } from '../manifest/helpers.js';

/** "code: message | hint" of the problem with `key: value`, or "ok". */
function check(owner: ConfigOwner, key: string, value = ''): string {
  const p = configKeyProblem(owner, 'X', key, value);
  return p ? `${p.code}${p.atValue ? ' (value)' : ''}: ${p.message}${p.hint ? ` | ${p.hint}` : ''}` : 'ok';
}

const refused = (owner: ConfigOwner, keys: string[]) => keys.filter((k) => check(owner, k) !== 'ok').map((k) => `${k}: ${check(owner, k)}`);

const CONTAINER_ACCEPTED = [
  'boot.autostart',
  'boot.autostart.delay',
  'boot.autostart.priority',
  'boot.host_shutdown_timeout',
  'boot.stop.priority',
  'cloud-init.network-config',
  'cloud-init.user-data',
  'cloud-init.vendor-data',
  'user.network-config',
  'user.user-data',
  'user.vendor-data',
  'migration.incremental.memory',
  'migration.incremental.memory.goal',
  'migration.incremental.memory.iterations',
  'cluster.evacuate',
  'environment.FOO',
  'linux.kernel_modules',
  'linux.sysctl.net.ipv4.ip_forward',
  'user.foo',
  'raw.apparmor',
  'raw.idmap',
  'raw.lxc',
  'raw.seccomp',
  'limits.cpu',
  'limits.cpu.allowance',
  'limits.cpu.priority',
  'limits.disk.priority',
  'limits.hugepages.1GB',
  'limits.hugepages.1MB',
  'limits.hugepages.2MB',
  'limits.hugepages.64KB',
  'limits.memory',
  'limits.memory.enforce',
  'limits.memory.swap',
  'limits.memory.swap.priority',
  'limits.processes',
  'limits.network.priority',
  'limits.kernel.nofile',
  'security.devlxd',
  'security.devlxd.images',
  'security.idmap.base',
  'security.idmap.isolated',
  'security.idmap.size',
  'security.nesting',
  'security.privileged',
  'security.protection.delete',
  'security.protection.shift',
  'security.syscalls.allow',
  'security.syscalls.deny',
  'security.syscalls.deny_compat',
  'security.syscalls.deny_default',
  'security.syscalls.intercept.bpf',
  'security.syscalls.intercept.bpf.devices',
  'security.syscalls.intercept.mknod',
  'security.syscalls.intercept.mount',
  'security.syscalls.intercept.mount.allowed',
  'security.syscalls.intercept.mount.fuse',
  'security.syscalls.intercept.mount.shift',
  'security.syscalls.intercept.sched_setscheduler',
  'security.syscalls.intercept.setxattr',
  'security.syscalls.blacklist',
  'security.syscalls.blacklist_compat',
  'security.syscalls.blacklist_default',
  'security.syscalls.whitelist',
  'snapshots.expiry',
  'snapshots.pattern',
  'snapshots.schedule',
  'snapshots.schedule.stopped',
  'nvidia.runtime',
  'nvidia.driver.capabilities',
  'nvidia.require.cuda',
  'nvidia.require.driver',
  'image.os',
  'volatile.eth0.hwaddr',
  'volatile.base_image',
];
/** Taken by a profile (LXD checks profiles against both instance types). */
const PROFILE_ONLY_ACCEPTED = [
  'migration.stateful',
  'agent.nic_config',
  'security.secureboot',
  'raw.qemu',
  'raw.qemu.conf',
  'limits.memory.hugepages',
  'security.agent.metrics',
];

test('instance and profile keys: every key LXD 5.0.2 took is accepted', () => {
  assert.equal(refused({ kind: 'instance', type: 'container' }, CONTAINER_ACCEPTED), []);
  assert.equal(refused({ kind: 'instance' }, [...CONTAINER_ACCEPTED, ...PROFILE_ONLY_ACCEPTED]), []);
  assert.equal(
    refused(
      { kind: 'profile' },
      [...CONTAINER_ACCEPTED, ...PROFILE_ONLY_ACCEPTED].filter((k) => !/^(volatile|image)\./.test(k)),
    ),
    [],
  );
  assert.equal(refused({ kind: 'instance', type: 'virtual-machine' }, PROFILE_ONLY_ACCEPTED), []);
});

test('instance keys: a typo is unknown, with a did-you-mean; free-form keys get the namespaces', () => {
  const c: ConfigOwner = { kind: 'instance', type: 'container' };
  assert.is(check(c, 'secrity.nesting'), 'manifest.schema: unknown config key "secrity.nesting" for X | did you mean "security.nesting"?');
  assert.is(check(c, 'limits.memry'), 'manifest.schema: unknown config key "limits.memry" for X | did you mean "limits.memory"?');
  // A typo in the fixed part of a free namespace is put right too.
  assert.is(check(c, 'usr.note'), 'manifest.schema: unknown config key "usr.note" for X | did you mean "user.note"?');
  assert.is(check(c, 'enviroment.TZ'), 'manifest.schema: unknown config key "enviroment.TZ" for X | did you mean "environment.TZ"?');
  assert.is(
    check(c, 'linux.sysclt.net.ipv4.ip_forward'),
    'manifest.schema: unknown config key "linux.sysclt.net.ipv4.ip_forward" for X | did you mean "linux.sysctl.net.ipv4.ip_forward"?',
  );
  assert.is(
    check(c, 'notes'),
    'manifest.schema: unknown config key "notes" for X | free-form keys go under user.* (environment.* for the environment of the instance\'s processes)',
  );
  // LXD 5.0.2 refuses these as unknown too (the namespace needs a name; "user" alone is no key).
  assert.is(
    check(c, 'limits.kernel.'),
    'manifest.schema: unknown config key "limits.kernel." for X | limits.kernel.* takes a resource name, such as limits.kernel.nofile',
  );
  assert.match(check(c, 'user'), /^manifest\.schema: unknown config key "user"/);
  assert.match(check(c, 'cloud-init'), /^manifest\.schema: unknown config key "cloud-init"/);
});

test('instance keys: a key of the other instance type is refused on a typed instance, not on a profile', () => {
  assert.is(
    check({ kind: 'instance', type: 'container' }, 'security.secureboot'),
    'manifest.value: security.secureboot applies to virtual machines only, and X is a container (LXD: "Unknown configuration key") | remove it here, or set it in a profile used only by virtual machines',
  );
  assert.is(
    check({ kind: 'instance', type: 'virtual-machine' }, 'security.nesting'),
    'manifest.value: security.nesting applies to containers only, and X is a virtual-machine (LXD: "Unknown configuration key") | remove it here, or set it in a profile used only by containers',
  );
  assert.is(check({ kind: 'instance', type: 'virtual-machine' }, 'linux.sysctl.net.ipv4.ip_forward').split(':')[0], 'manifest.value');
  // limits.* of the wrong type: the limits check reports them (one error, not two).
  assert.is(check({ kind: 'instance', type: 'container' }, 'limits.memory.hugepages'), 'ok');
  assert.is(check({ kind: 'profile' }, 'security.secureboot'), 'ok');
});

test("profiles: volatile.* and image.* are refused as LXD does; instances keep them (LXD's own)", () => {
  assert.is(
    check({ kind: 'profile' }, 'volatile.eth0.hwaddr'),
    'manifest.value: volatile.* keys are set on instances only, not in a profile: "volatile.eth0.hwaddr" of X (LXD: "Volatile keys can only be set on instances") | move it to the instances that need it',
  );
  assert.match(check({ kind: 'profile' }, 'image.os'), /image\.\* keys are set on instances only.*"Image keys can only be set on instances"/);
  assert.is(check({ kind: 'instance', type: 'container' }, 'volatile.anything'), 'ok');
});

test('keys of newer LXD releases are accepted (the error then comes from LXD 5.0.2: a documented limitation)', () => {
  for (const k of [
    'security.protection.start',
    'limits.cpu.nodes',
    'placement.group',
    'boot.debug_edk2',
    'cloud-init.ssh-keys.mykey',
    'security.delegate_bpf',
  ]) {
    assert.is(check({ kind: 'profile' }, k), 'ok', k);
  }
  assert.is(check({ kind: 'network', type: 'bridge' }, 'bgp.peers.p1.holdtime'), 'ok');
  assert.is(check({ kind: 'storage_pool', driver: 'dir' }, 'source.recover'), 'ok');
});

test('networks: keys per type, as LXD 5.0.2 took them; a key of another type says which', () => {
  const accepted: Record<string, string[]> = {
    bridge: [
      'bridge.driver',
      'bridge.external_interfaces',
      'bridge.hwaddr',
      'bridge.mode',
      'bridge.mtu',
      'dns.domain',
      'dns.mode',
      'dns.search',
      'fan.overlay_subnet',
      'fan.underlay_subnet',
      'fan.type',
      'ipv4.address',
      'ipv4.dhcp',
      'ipv4.dhcp.expiry',
      'ipv4.dhcp.gateway',
      'ipv4.dhcp.ranges',
      'ipv4.firewall',
      'ipv4.nat',
      'ipv4.nat.address',
      'ipv4.nat.order',
      'ipv4.routes',
      'ipv4.routing',
      'ipv6.address',
      'ipv6.dhcp',
      'ipv6.dhcp.expiry',
      'ipv6.dhcp.ranges',
      'ipv6.dhcp.stateful',
      'ipv6.firewall',
      'ipv6.nat',
      'ipv6.nat.address',
      'ipv6.routes',
      'raw.dnsmasq',
      'security.acls',
      'tunnel.t1.protocol',
      'tunnel.t1.id',
      'bgp.peers.p1.address',
      'bgp.peers.p1.asn',
      'maas.subnet.ipv4',
      'maas.subnet.ipv6',
      'user.foo',
    ],
    macvlan: ['parent', 'mtu', 'vlan', 'gvrp', 'maas.subnet.ipv4', 'maas.subnet.ipv6', 'user.foo'],
    sriov: ['parent', 'mtu', 'vlan', 'maas.subnet.ipv4', 'user.foo'],
    physical: [
      'parent',
      'mtu',
      'vlan',
      'gvrp',
      'ipv4.gateway',
      'ipv6.gateway',
      'ipv4.routes',
      'ipv4.ovn.ranges',
      'ovn.ingress_mode',
      'dns.nameservers',
      'bgp.peers.p1.address',
      'maas.subnet.ipv6',
      'user.foo',
    ],
  };
  for (const [type, keys] of Object.entries(accepted)) assert.equal(refused({ kind: 'network', type }, keys), [], type);
  // Refused by 5.0.2 as unknown ('Invalid option for network "x" option "..."').
  assert.is(
    check({ kind: 'network', type: 'bridge' }, 'ipv4.adress'),
    'manifest.schema: unknown config key "ipv4.adress" for X (network type bridge) | did you mean "ipv4.address"?',
  );
  assert.is(
    check({ kind: 'network', type: 'bridge' }, 'parent'),
    'manifest.schema: unknown config key "parent" for X (network type bridge) | parent is a key of macvlan, physical, sriov networks',
  );
  assert.is(
    check({ kind: 'network', type: 'macvlan' }, 'ipv4.address'),
    'manifest.schema: unknown config key "ipv4.address" for X (network type macvlan) | ipv4.address is a key of bridge, ovn networks',
  );
  assert.is(check({ kind: 'network', type: 'bridge' }, 'volatile.bridge.hwaddr').split(':')[0], 'manifest.schema');
  assert.is(check({ kind: 'network', type: 'ovn' }, 'ipv4.l3only'), 'ok');
  assert.is(check({ kind: 'network', type: 'ovn' }, 'mtu').split(':')[0], 'manifest.schema');
});

test('networks: bool and integer keys have their values checked', () => {
  assert.is(check({ kind: 'network', type: 'bridge' }, 'ipv4.nat', 'maybe'), 'manifest.value (value): invalid value "maybe" for ipv4.nat: use true or false');
  assert.is(
    check({ kind: 'network', type: 'bridge' }, 'bridge.mtu', '1500b'),
    'manifest.value (value): invalid value "1500b" for bridge.mtu: use a whole number',
  );
  for (const v of ['true', 'yes', 'Off', '0', '']) assert.is(check({ kind: 'network', type: 'bridge' }, 'ipv4.nat', v), 'ok', v);
  assert.is(check({ kind: 'network', type: 'bridge' }, 'bridge.mtu', '1400'), 'ok');
  assert.is(check({ kind: 'network', type: 'bridge' }, 'bridge.mtu', '${env:MTU}'), 'ok');
  assert.is(check({ kind: 'network', type: 'bridge' }, 'ipv6.address', 'none'), 'ok');
});

test('storage pools: keys per driver, volume.* defaults, user.*', () => {
  // What the 5.0.2 daemon took for a dir pool.
  assert.equal(
    refused({ kind: 'storage_pool', driver: 'dir' }, [
      'source',
      'rsync.bwlimit',
      'rsync.compression',
      'volume.size',
      'volume.security.shifted',
      'volume.security.unmapped',
      'volume.snapshots.expiry',
      'volume.snapshots.pattern',
      'volume.snapshots.schedule',
      'user.foo',
    ]),
    [],
  );
  // ... and refused as unknown ('Invalid option "..."').
  assert.is(
    check({ kind: 'storage_pool', driver: 'dir' }, 'size'),
    'manifest.schema: unknown config key "size" for X (driver dir) | size is a key of btrfs, zfs, lvm pools',
  );
  assert.is(
    check({ kind: 'storage_pool', driver: 'dir' }, 'volume.zfs.remove_snapshots'),
    'manifest.schema: unknown config key "volume.zfs.remove_snapshots" for X (driver dir) | volume.zfs.remove_snapshots is a key of zfs pools',
  );
  assert.is(check({ kind: 'storage_pool', driver: 'dir' }, 'rsync.foo').split(':')[0], 'manifest.schema');
  assert.is(
    check({ kind: 'storage_pool', driver: 'dir' }, 'snapshots.schedule'),
    'manifest.schema: unknown config key "snapshots.schedule" for X (driver dir) | snapshots.schedule is a volume key: give it to the volumes, or as volume.snapshots.schedule here (the default of new volumes)',
  );
  assert.is(
    check({ kind: 'storage_pool', driver: 'zfs' }, 'zfs.pool_nme'),
    'manifest.schema: unknown config key "zfs.pool_nme" for X (driver zfs) | did you mean "zfs.pool_name"?',
  );
  // Other drivers, from the table (their tools are not installed here).
  assert.equal(
    refused({ kind: 'storage_pool', driver: 'zfs' }, [
      'size',
      'source',
      'zfs.pool_name',
      'zfs.clone_copy',
      'volume.zfs.blocksize',
      'volume.zfs.use_refquota',
      'volume.size',
    ]),
    [],
  );
  assert.equal(
    refused({ kind: 'storage_pool', driver: 'lvm' }, [
      'lvm.vg_name',
      'lvm.thinpool_name',
      'lvm.use_thinpool',
      'volume.block.filesystem',
      'volume.lvm.stripes',
      'size',
    ]),
    [],
  );
  assert.equal(refused({ kind: 'storage_pool', driver: 'btrfs' }, ['btrfs.mount_options', 'size', 'source']), []);
  assert.equal(
    refused({ kind: 'storage_pool', driver: 'ceph' }, [
      'ceph.cluster_name',
      'ceph.osd.pool_name',
      'ceph.osd.force_reuse',
      'ceph.rbd.features',
      'volume.block.filesystem',
    ]),
    [],
  );
  assert.equal(refused({ kind: 'storage_pool', driver: 'cephfs' }, ['cephfs.cluster_name', 'cephfs.path', 'cephfs.user.name']), []);
  assert.is(
    check({ kind: 'storage_pool', driver: 'lvm' }, 'lvm.use_thinpool', 'sure'),
    'manifest.value (value): invalid value "sure" for lvm.use_thinpool: use true or false',
  );
});

test('storage volumes: keys per pool driver, or of any driver when the pool is not declared', () => {
  // What the 5.0.2 daemon took for a volume on a dir pool (the volatile.* keys are LXD's).
  assert.equal(
    refused({ kind: 'storage_volume', driver: 'dir' }, [
      'security.shifted',
      'security.unmapped',
      'size',
      'snapshots.expiry',
      'snapshots.pattern',
      'snapshots.schedule',
      'user.foo',
      'volatile.idmap.last',
      'volatile.idmap.next',
    ]),
    [],
  );
  assert.is(
    check({ kind: 'storage_volume', driver: 'dir' }, 'block.filesystem'),
    'manifest.schema: unknown config key "block.filesystem" for X (on a dir pool) | block.filesystem is a key of volumes on zfs, lvm, ceph pools',
  );
  assert.is(
    check({ kind: 'storage_volume', driver: 'dir' }, 'sise'),
    'manifest.schema: unknown config key "sise" for X (on a dir pool) | did you mean "size"?',
  );
  assert.is(check({ kind: 'storage_volume' }, 'block.filesystem'), 'ok');
  assert.is(check({ kind: 'storage_volume' }, 'zfs.blocksize'), 'ok');
  assert.is(
    check({ kind: 'storage_volume' }, 'snapshots.schedul'),
    'manifest.schema: unknown config key "snapshots.schedul" for X | did you mean "snapshots.schedule"?',
  );
  assert.is(
    check({ kind: 'storage_volume', driver: 'zfs' }, 'zfs.block_mode', 'perhaps'),
    'manifest.value (value): invalid value "perhaps" for zfs.block_mode: use true or false',
  );
});

test('server keys: LXD 5.0 keys and the documented ones; a typo has a did-you-mean', () => {
  const s: ConfigOwner = { kind: 'server' };
  assert.equal(
    refused(s, [
      'core.https_address',
      'core.proxy_http',
      'core.trust_ca_certificates',
      'images.auto_update_interval',
      'images.remote_cache_expiry',
      'cluster.https_address',
      'maas.api.url',
      'maas.machine',
      'candid.api.url',
      'rbac.api.url',
      'core.trust_password',
      'storage.backups_volume',
      'storage.project.p1.images_volume',
      'network.ovn.northbound_connection',
      'core.debug_address',
      'user.note',
    ]),
    [],
  );
  assert.is(check(s, 'core.http_address'), 'manifest.schema: unknown config key "core.http_address" for X | did you mean "core.https_address"?');
  assert.is(
    check(s, 'zzz.bogus').split(' | ')[1],
    'server keys are core.*, images.*, cluster.*, storage.*, network.ovn.*, ... (lxc config set); free-form keys go under user.*',
  );
});

test('one table: the bool and integer instance keys units.ts compares by value come from it', () => {
  for (const k of ['security.nesting', 'boot.autostart', 'snapshots.schedule.stopped', 'nvidia.runtime', 'security.syscalls.blacklist_default'])
    assert.ok(BOOL_KEYS.has(k), k);
  for (const k of ['boot.autostart.delay', 'limits.processes', 'limits.network.priority', 'security.idmap.size']) assert.ok(INT_KEYS.has(k), k);
  // configuration.json types these as bool, but they hold lists of eBPF types.
  assert.not.ok(BOOL_KEYS.has('security.delegate_bpf.prog_types'));
  assert.not.ok(BOOL_KEYS.has('raw.lxc'));
});

/**
 * The impact table (instance-keys.ts) against the key table's liveupdate: a key LXD applies live is
 * live, one it does not needs a restart, except where instance-keys.ts says why not (keys that only
 * describe the instance to LXD, the protection keys, and one newer key).
 */
test("the impact of every instance key agrees with the key table's liveupdate, except the documented adjustments", () => {
  const ADJUSTED =
    /^(user\.|boot\.(autostart|stop\.priority)|snapshots\.|cluster\.evacuate$|migration\.|security\.protection\.(delete|start)$|security\.devlxd\.management\.volumes$)/;
  const differ: string[] = [];
  for (const [k, info] of Object.entries(INSTANCE_KEYS)) {
    if (k.startsWith('volatile.') || ADJUSTED.test(k)) continue;
    const live = instanceKeyImpact(k.replace(/\*/g, 'x')).impact === 'live';
    if (live !== Boolean(info.live)) differ.push(`${k}: table ${info.live ? 'live' : 'not live'}, impact ${live ? 'live' : 'restart'}`);
  }
  assert.equal(differ, []);
  // The adjustments hold as instance-keys.ts describes them.
  for (const k of ['boot.autostart', 'snapshots.schedule', 'cluster.evacuate', 'migration.stateful', 'user.foo', 'security.protection.delete'])
    assert.is(instanceKeyImpact(k).impact, 'live', k);
});

test('the key table is what the generator makes of configuration.json (when LXD_CONFIGURATION_JSON names a copy)', () => {
  const json = process.env.LXD_CONFIGURATION_JSON;
  if (!json) {
    // The JSON is not in the repository (it is LXD's): nothing to compare with.
    console.log("  skipped: set LXD_CONFIGURATION_JSON to the path of LXD's configuration.json to compare");
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'lxplan-keys-'));
  try {
    const out = path.join(dir, 'keys.ts');
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'scripts/gen-config-keys.mjs'), json, out], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.fixture(readFileSync(out, 'utf8'), readFileSync(path.join(repoRoot(), 'src/resources/lxd-config-keys.ts'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
