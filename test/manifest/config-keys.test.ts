/**
 * Unknown config keys in manifests: a located error at the key (file:line:col), with a
 * did-you-mean, for every kind that has config; a volume's keys against its pool's driver when
 * the pool is declared in another file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { described, loadError, summary, tree } from './helpers.js';

test("an instance key typo: located at the key, did-you-mean; the issue's secrity.nesting", async () => {
  const dir = await tree({ 'lxplan.yaml': 'instances:\n  web-1:\n    image: busybox\n    config:\n      secrity.nesting: "true"\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/lxplan.yaml:5:7: unknown config key "secrity.nesting" for instance "web-1"\n  hint: did you mean "security.nesting"?`,
  ]);
});

test('every kind with config reports its unknown keys, in one run, each at its key', async () => {
  const dir = await tree({
    'lxplan.yaml': [
      'profiles:',
      '  small:',
      '    config: {boot.autostrat: "true", volatile.x: "1"}',
      'instances:',
      '  vm-1: {image: busybox, type: virtual-machine, config: {security.nesting: "true"}}',
      'networks:',
      '  br0: {config: {ipv4.adress: 10.1.2.1/24}}',
      '  mv0: {type: macvlan, config: {parent: eth0, dns.domain: lxd}}',
      'storage_pools:',
      '  fast: {driver: dir, config: {zfs.pool_name: tank}}',
      'storage_volumes:',
      '  fast/data: {config: {snapshot.schedule: "@daily"}}',
      'server:',
      '  config: {core.http_address: ":8443"}',
      'projects:',
      '  p1: {config: {features.image: "true"}}',
      '',
    ].join('\n'),
  });
  assert.equal(summary(await loadError(dir)), [
    `manifest.schema ${dir}/lxplan.yaml:3:14: unknown config key "boot.autostrat" for profile "small"`,
    `manifest.value ${dir}/lxplan.yaml:3:38: volatile.* keys are set on instances only, not in a profile: "volatile.x" of profile "small" (LXD: "Volatile keys can only be set on instances")`,
    `manifest.value ${dir}/lxplan.yaml:5:58: security.nesting applies to containers only, and instance "vm-1" is a virtual-machine (LXD: "Unknown configuration key")`,
    `manifest.schema ${dir}/lxplan.yaml:7:18: unknown config key "ipv4.adress" for network "br0" (network type bridge)`,
    `manifest.schema ${dir}/lxplan.yaml:8:47: unknown config key "dns.domain" for network "mv0" (network type macvlan)`,
    `manifest.schema ${dir}/lxplan.yaml:10:32: unknown config key "zfs.pool_name" for storage_pool "fast" (driver dir)`,
    `manifest.schema ${dir}/lxplan.yaml:12:24: unknown config key "snapshot.schedule" for storage_volume "fast/data"`,
    `manifest.schema ${dir}/lxplan.yaml:14:12: unknown config key "core.http_address" for the server`,
    `manifest.schema ${dir}/lxplan.yaml:16:17: unknown project config key "features.image" (project "p1")`,
  ]);
});

test('a volume is checked against the driver of its pool declared in another file; a pool only LXD has is not known', async () => {
  const dir = await tree({
    'pools.yaml': 'storage_pools:\n  fast: {driver: dir}\n  tank: {driver: zfs}\n',
    'volumes.yaml':
      'storage_volumes:\n  fast/data: {config: {zfs.blocksize: 8KiB}}\n  tank/data: {config: {zfs.blocksize: 8KiB}}\n  default/data: {config: {zfs.blocksize: 8KiB}}\n',
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/volumes.yaml:2:24: unknown config key "zfs.blocksize" for storage_volume "fast/data" (on a dir pool)\n  hint: zfs.blocksize is a key of volumes on zfs pools`,
  ]);
});

test('free namespaces and keys LXD knows load as written', async () => {
  const dir = await tree({
    'lxplan.yaml': [
      'profiles:',
      '  p: {config: {user.note: x, environment.TZ: UTC, linux.sysctl.net.ipv4.ip_forward: "1", limits.kernel.nofile: "1024", security.secureboot: "false"}}',
      'instances:',
      '  c1: {image: busybox, config: {security.nesting: "true", image.os: busybox, nvidia.runtime: "false", cloud-init.user-data: "#cloud-config"}}',
      'networks:',
      '  br0: {config: {ipv4.address: 10.1.2.1/24, ipv4.nat: "true", user.x: y, maas.subnet.ipv4: s}}',
      'storage_pools:',
      '  fast: {driver: dir, config: {volume.size: 1GiB, rsync.bwlimit: 10MB, user.x: y}}',
      'storage_volumes:',
      '  fast/data: {size: 1GiB, config: {snapshots.schedule: "@daily", security.shifted: "true", user.x: y}}',
      'server:',
      '  config: {core.https_address: ":8443", maas.machine: m1}',
      '',
    ].join('\n'),
  });
  const m = await loadManifests(dir);
  assert.is(m.instances.c1.config['nvidia.runtime'], 'false');
  assert.is(m.storageVolumes['fast/data'].config['security.shifted'], 'true');
});

test.run();
