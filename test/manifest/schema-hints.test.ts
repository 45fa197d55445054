/**
 * The findings each kind words itself (src/resources/<kind>/schema-hints.ts, through the
 * registry): a name that breaks the kind's rules, project: on a kind that does not take it, the
 * hint for a required key. One manifest with one such mistake per kind, and the exact sentences.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { described, loadError, tree } from './helpers.js';

test('each kind words the names it refuses', async () => {
  const dir = await tree({
    'm.yaml': [
      'instances:\n  1web:\n    image: x',
      'profiles:\n  "a b": {}',
      'images:\n  "a/b":\n    source: {instance: base, snapshot: s}',
      'networks:\n  n: {}',
      'storage_pools:\n  "..":\n    driver: dir',
      'storage_volumes:\n  data: {}',
      'projects:\n  "p q": {}',
      'remotes:\n  "r s": {url: "https://x"}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:3: invalid instance name "1web": instance names must start with a letter`,
    `${dir}/m.yaml:5:3: invalid profile name "a b": names must not contain spaces`,
    `${dir}/m.yaml:7:3: invalid image alias "a/b": names must not contain "/"`,
    `${dir}/m.yaml:10:3: invalid network name "n": network names are 2 to 15 characters long (they become interface names)`,
    `${dir}/m.yaml:12:3: invalid storage pool name "..": "." and ".." are not names`,
    `${dir}/m.yaml:15:3: invalid custom volume "data": write the key as POOL/VOLUME, e.g. default/data`,
    `${dir}/m.yaml:17:3: invalid project name "p q": names must not contain spaces`,
    `${dir}/m.yaml:19:3: invalid name "r s" in "remotes"`,
  ]);
});

test('project: on a kind inside a project that does not take it, and on a global kind', async () => {
  const dir = await tree({
    'm.yaml': ['networks:\n  br0:\n    project: dev', 'storage_volumes:\n  default/data:\n    project: dev', 'projects:\n  dev:\n    project: dev', ''].join(
      '\n',
    ),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:3:5: project: on network "br0" is not supported yet (only instances and images take project:)\n  hint: put objects of another project in their own directory with a top-level project: NAME`,
    `${dir}/m.yaml:6:5: project: on storage_volume "default/data" is not supported yet (only instances and images take project:)\n  hint: put objects of another project in their own directory with a top-level project: NAME`,
    `${dir}/m.yaml:9:5: project: on project "dev": projects are global, not inside a project\n  hint: remove the project: key`,
  ]);
});

test('the hint for a required key comes from its kind; a kind without one gets none', async () => {
  const dir = await tree({ 'm.yaml': 'images:\n  a: {public: true}\nstorage_pools:\n  fast: {}\nremotes:\n  lab: {}\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:3: missing key "source" in image "a"\n  hint: give source: {metadata: ..., rootfs: ...} (a split image), {directory: ...} (a root file system lxplan packs), {remote: ..., alias: ...} (a copy) or {instance: ..., snapshot: ...} (published)`,
    `${dir}/m.yaml:4:3: missing key "driver" in storage_pool "fast"\n  hint: the storage driver of the pool: dir, btrfs, zfs, lvm, ceph or cephfs`,
    `${dir}/m.yaml:6:3: missing key "url" in remote "lab"`,
  ]);
});

test.run();
