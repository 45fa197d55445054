/**
 * lxplan export of storage pools: the keys a daemon fills in with its own defaults are left out,
 * so one daemon's export applies on another (issue 14: LXD's `default` pool exported with
 * `source: /var/lib/lxd/storage-pools/default`, applied on Incus, planned a replace of a pool in use).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/resources/index.js';
import type { LxdStoragePool } from '../../src/lxd/types.js';
import { storagePoolExport } from '../../src/resources/storage-pool/export.js';
import type { LiveSnapshot } from '../../src/resources/spec.js';

const pool = (name: string, driver: string, config: Record<string, string>, description = ''): LxdStoragePool => ({
  name,
  driver,
  description,
  config,
  used_by: [],
  status: 'Created',
  locations: [],
});
const entry = (p: LxdStoragePool) => storagePoolExport.entry!(p, {} as LiveSnapshot);

test("a dir pool's source in the daemon's own directory is left out, on LXD, the snap and Incus", () => {
  assert.equal(entry(pool('default', 'dir', { source: '/var/lib/lxd/storage-pools/default' })), { driver: 'dir' });
  assert.equal(entry(pool('default', 'dir', { source: '/var/snap/lxd/common/lxd/storage-pools/default' })), { driver: 'dir' });
  assert.equal(entry(pool('fast', 'dir', { source: '/var/lib/incus/storage-pools/fast', 'rsync.bwlimit': '10MB' }, 'fast one')), {
    driver: 'dir',
    description: 'fast one',
    config: { 'rsync.bwlimit': '10MB' },
  });
});

test('a source the user chose is kept, as is every key of other drivers', () => {
  assert.equal(entry(pool('data', 'dir', { source: '/srv/data' })), { driver: 'dir', config: { source: '/srv/data' } });
  // Another pool's default directory is a choice too.
  assert.equal(entry(pool('data', 'dir', { source: '/var/lib/lxd/storage-pools/other' })), {
    driver: 'dir',
    config: { source: '/var/lib/lxd/storage-pools/other' },
  });
  assert.equal(entry(pool('b', 'btrfs', { source: '/var/lib/lxd/disks/b.img', size: '5GiB', 'volatile.initial_source': 'x' })), {
    driver: 'btrfs',
    config: { size: '5GiB', source: '/var/lib/lxd/disks/b.img' },
  });
});

test.run();
