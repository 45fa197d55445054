/** networks:, storage_pools: and storage_volumes: in manifests: loading, defaults, names, values. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkReferencesOffline, loadManifests } from '../../src/manifest/index.js';
import { described, loadError, tree } from './helpers.js';

const VALID = `networks:
  lxdbr1:
    description: Lab bridge
    config: {ipv4.address: 10.10.10.1/24, ipv4.nat: true, ipv6.address: none, dns.domain: lab}
  mv0:
    type: macvlan
    config: {parent: eth0}
storage_pools:
  fast:
    driver: dir
    config: {source: /srv/pools/fast}
  default:
    driver: dir
storage_volumes:
  fast/data:
    size: 1GB
    config: {snapshots.schedule: "@daily"}
  default/iso:
    content_type: block
    description: Install media
instances:
  web-1:
    image: busybox
    devices:
      eth0: {type: nic, network: lxdbr1, limits.ingress: 10Mbit, limits.egress: 1Gibit}
      data: {type: disk, pool: fast, source: data, path: /data, limits.read: 100iops}
      root: {type: disk, path: /, pool: fast}
    limits: {disk: 10GB}
`;

test('the three sections load with their defaults: bridge, filesystem, empty description; size: folds into config', async () => {
  const dir = await tree({ 'm.yaml': VALID });
  const m = await loadManifests(dir);
  assert.equal(Object.keys(m.networks), ['lxdbr1', 'mv0']);
  assert.equal(m.networks.lxdbr1.type, 'bridge');
  assert.is(m.networks.lxdbr1.description, 'Lab bridge');
  assert.equal(m.networks.lxdbr1.config, { 'ipv4.address': '10.10.10.1/24', 'ipv4.nat': 'true', 'ipv6.address': 'none', 'dns.domain': 'lab' });
  assert.is(m.networks.mv0.type, 'macvlan');
  assert.equal(m.storagePools.fast, { ...m.storagePools.fast, kind: 'storage_pool', driver: 'dir', description: '', config: { source: '/srv/pools/fast' } });
  assert.equal(m.storagePools.default.config, {});
  const data = m.storageVolumes['fast/data'];
  assert.equal([data.pool, data.volume, data.contentType, data.config], ['fast', 'data', 'filesystem', { 'snapshots.schedule': '@daily', size: '1GB' }]);
  assert.equal(data.keyAt?.['config.size'], { file: `${dir}/m.yaml`, line: 16, col: 5 });
  assert.is(m.storageVolumes['default/iso'].contentType, 'block');
  assert.equal(m.instances['web-1'].devices.root, { type: 'disk', path: '/', pool: 'fast', size: '10GB' });
  // Offline, what LXD may have is not judged: no reference errors.
  assert.equal(checkReferencesOffline(m, { profiles: new Set(), images: new Set(['busybox']) }), []);
});

test('names: network names are interface names, volumes are POOL/VOLUME, pools are not "." or ".."', async () => {
  const dir = await tree({
    'm.yaml': [
      'networks:',
      '  a: {}',
      '  lxdbr-far-too-long: {}',
      '  "br:0": {}',
      'storage_pools:',
      '  "..": {driver: dir}',
      'storage_volumes:',
      '  data: {}',
      '  fast/a/b: {}',
      '  fast/..: {}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:3: invalid network name "a": network names are 2 to 15 characters long (they become interface names)`,
    `${dir}/m.yaml:3:3: invalid network name "lxdbr-far-too-long": network names are 2 to 15 characters long (they become interface names)`,
    `${dir}/m.yaml:4:3: invalid network name "br:0": network names may contain only ASCII letters, digits, "-", "_" and "."`,
    `${dir}/m.yaml:6:3: invalid storage pool name "..": "." and ".." are not names`,
    `${dir}/m.yaml:8:3: invalid custom volume "data": write the key as POOL/VOLUME, e.g. default/data`,
    `${dir}/m.yaml:9:3: invalid custom volume "fast/a/b": write the key as POOL/VOLUME, e.g. default/data`,
    `${dir}/m.yaml:10:3: invalid custom volume "fast/..": "." and ".." are not volume names`,
  ]);
});

test('schema: a pool needs its driver, types and drivers are closed lists, config keys go under config:', async () => {
  const dir = await tree({
    'm.yaml': [
      'networks:',
      '  lxdbr1: {type: brigde, ipv4.address: 10.0.0.1/24}',
      'storage_pools:',
      '  fast: {}',
      '  slow: {driver: ext4}',
      'storage_volumes:',
      '  fast/data: {content_type: iso, pool: fast}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:18: "type" of network "lxdbr1" must be one of bridge, macvlan, sriov, ovn, physical, not the string "brigde"\n  hint: did you mean "bridge"?`,
    `${dir}/m.yaml:2:26: unknown key "ipv4.address" in network "lxdbr1"\n  hint: LXD config keys go under config:`,
    `${dir}/m.yaml:4:3: missing key "driver" in storage_pool "fast"\n  hint: the storage driver of the pool: dir, btrfs, zfs, lvm, ceph or cephfs`,
    `${dir}/m.yaml:5:18: "driver" of storage_pool "slow" must be one of dir, btrfs, zfs, lvm, ceph, cephfs, not the string "ext4"`,
    `${dir}/m.yaml:7:29: "content_type" of storage_volume "fast/data" must be one of filesystem, block, not the string "iso"`,
    `${dir}/m.yaml:7:34: unknown key "pool" in storage_volume "fast/data"\n  hint: allowed keys: content_type, size, description, config, sensitive`,
  ]);
});

test("values: nic rates, disk sizes and rates, volume sizes are checked with LXD's rules, located at the value", async () => {
  const dir = await tree({
    'm.yaml': [
      'storage_volumes:',
      '  fast/data: {size: 1.5GB}',
      '  fast/logs: {size: 1GB, config: {size: 2GB}}',
      'instances:',
      '  web-1:',
      '    image: busybox',
      '    devices:',
      '      eth0: {type: nic, network: lxdbr1, limits.ingress: 10mbit, limits.egress: "0"}',
      '      data: {type: disk, pool: fast, source: data, path: /data, limits.write: 10Mbit}',
      '      root: {type: disk, pool: fast, path: /, size: 10XB}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:21: invalid size "1.5GB" of storage_volume "fast/data": a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)`,
    `${dir}/m.yaml:3:15: the size of storage_volume "fast/logs" is given twice: size: at ${dir}/m.yaml:3:15 and in config: at ${dir}/m.yaml:3:35\n  hint: keep one of them (size: 10GB is the short form of config: {size: 10GB})`,
    `${dir}/m.yaml:8:58: invalid limits.ingress "10mbit": a bit rate is a whole number with a unit of bit, kbit, Mbit, Gbit (powers of 1000) or Kibit, Mibit, Gibit (powers of 1024), e.g. 10Mbit (device "eth0" of instance "web-1")`,
    `${dir}/m.yaml:8:81: invalid limits.egress "0": a rate of 0 cannot be applied (leave the key out for no limit) (device "eth0" of instance "web-1")`,
    `${dir}/m.yaml:9:79: invalid limits.write "10Mbit": a disk rate is bytes per second with a unit (10MB) or operations per second (100iops) (device "data" of instance "web-1")`,
    `${dir}/m.yaml:10:53: invalid size "10XB": a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024) (device "root" of instance "web-1")`,
  ]);
});

test('a volume key names its pool; the same key twice across files is a duplicate', async () => {
  const dir = await tree({ 'a.yaml': 'storage_volumes:\n  fast/data: {}\n', 'b.yaml': 'storage_volumes:\n  fast/data: {size: 1GB}\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/b.yaml:2:3: storage_volume "fast/data" is defined twice: at ${dir}/a.yaml:2:3 and at ${dir}/b.yaml:2:3\n  hint: names are unique per kind across all manifest files: rename or remove one`,
  ]);
});

test('an unknown top-level key names the sections; "pools" and "volumes" get the storage_ spelling', async () => {
  const dir = await tree({ 'm.yaml': 'pools:\n  fast: {driver: dir}\nvlans: {}\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:1:1: unknown top-level key "pools"\n  hint: did you mean "storage_pools"?`,
    `${dir}/m.yaml:3:1: unknown top-level key "vlans"\n  hint: a manifest has images:, profiles:, instances:, networks:, storage_pools:, storage_volumes:, projects: and project:`,
  ]);
});

test('${env:NAME} and sensitive: work on networks, pools and volumes as on profiles and instances', async () => {
  const dir = await tree({
    'm.yaml': `networks:
  lxdbr1:
    config: {ipv4.address: none, user.token: "\${env:LXPLAN_TEST_TOKEN}"}
storage_pools:
  fast:
    driver: dir
    config: {user.password: hunter2}
    sensitive: [user.password]
storage_volumes:
  fast/data:
    config: {user.key: "k-\${env:LXPLAN_TEST_TOKEN}"}
`,
  });
  const m = await loadManifests(dir, { env: { LXPLAN_TEST_TOKEN: 's3cr3t' } });
  assert.is(m.networks.lxdbr1.config['user.token'], 's3cr3t');
  assert.equal(m.networks.lxdbr1.sensitive, ['user.token']);
  assert.equal(m.storagePools.fast.sensitive, ['user.password']);
  assert.is(m.storageVolumes['fast/data'].config['user.key'], 'k-s3cr3t');
  assert.equal(m.storageVolumes['fast/data'].sensitive, ['user.key']);
  const e = await loadError(dir, { env: {} });
  assert.equal(
    described(e).map((d) => d.replace(`${dir}/`, '').split('\n')[0]),
    [
      'm.yaml:3:34: environment variable LXPLAN_TEST_TOKEN is not set (used by config user.token of network "lxdbr1")',
      'm.yaml:11:14: environment variable LXPLAN_TEST_TOKEN is not set (used by config user.key of storage_volume "fast/data")',
    ],
  );
});

test.run();
