import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { described, loadError, repoRoot, summary, tree } from './helpers.js';

const IMAGES = { 'images/bb/meta.tar.gz': 'm', 'images/bb/rootfs.tar.gz': 'r' };
const BB = 'images:\n  bb:\n    source: {metadata: images/bb/meta.tar.gz, rootfs: images/bb/rootfs.tar.gz}\n';

test('a directory of two files merges into one manifest, in name order, with positions', async () => {
  const rel = 'test/fixtures/manifests/valid';
  const prev = process.cwd();
  process.chdir(repoRoot());
  try {
    const m = await loadManifests(rel, { checkFiles: false });
    const abs = path.resolve(rel);
    assert.is(m.dir, abs);
    assert.equal(m.files, [`${rel}/10-base.yaml`, `${rel}/20-web.yml`]);
    assert.equal(Object.keys(m.images), ['busybox']);
    assert.equal(Object.keys(m.profiles), ['small']);
    assert.equal(Object.keys(m.instances), ['web-1', 'web-2']);
    assert.equal(m.images.busybox.source, { metadata: `${abs}/images/busybox/meta.tar.gz`, rootfs: `${abs}/images/busybox/rootfs.tar.gz` });
    assert.is(m.images.busybox.public, false);
    assert.equal(m.profiles.small.config, { 'boot.autostart': 'false', 'limits.cpu': '1', 'limits.memory': '256MB' });
    assert.equal(m.profiles.small.devices, { data: { type: 'disk', source: '/srv/data', path: '/data' } });
    assert.is(m.profiles.small.description, 'Small containers');
    const web = m.instances['web-1'];
    assert.equal(web.at, { file: `${rel}/20-web.yml`, line: 2, col: 3 });
    assert.equal(web.profiles, ['default', 'small']);
    assert.equal(web.config, { 'environment.APP_ENV': 'production', 'limits.memory': '512MB', 'limits.cpu.allowance': '40%' });
    assert.equal(web.devices, { root: { type: 'disk', path: '/', pool: 'default' } });
    assert.is(web.description, 'The first web server');
    assert.equal(web.keyAt?.image, { file: `${rel}/20-web.yml`, line: 3, col: 5 });
    assert.equal(web.keyAt?.['profiles.1'], { file: `${rel}/20-web.yml`, line: 4, col: 25 });
    assert.equal(web.keyAt?.['limits.memory'], { file: `${rel}/20-web.yml`, line: 5, col: 14 });
    assert.equal(web.keyAt?.['config.environment.APP_ENV'], { file: `${rel}/20-web.yml`, line: 6, col: 14 });
    assert.equal(web.keyAt?.['devices.root'], { file: `${rel}/20-web.yml`, line: 8, col: 7 });
    assert.equal(m.profiles.small.keyAt?.['config.boot.autostart'], { file: `${rel}/10-base.yaml`, line: 12, col: 14 });
  } finally {
    process.chdir(prev);
  }
});

test('defaults: profiles [default], running, container, empty description, config and devices', async () => {
  const dir = await tree({ ...IMAGES, 'm.yaml': `${BB}instances:\n  web-2:\n    image: bb\n` });
  const m = await loadManifests(dir);
  const i = m.instances['web-2'];
  assert.equal(
    {
      image: i.image,
      profiles: i.profiles,
      state: i.state,
      type: i.type,
      description: i.description,
      config: i.config,
      devices: i.devices,
      kind: i.kind,
      name: i.name,
    },
    { image: 'bb', profiles: ['default'], state: 'running', type: 'container', description: '', config: {}, devices: {}, kind: 'instance', name: 'web-2' },
  );
  assert.is(m.images.bb.public, false);
});

test('an explicit empty profile list stays empty (LXD allows an instance without profiles)', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  a:\n    image: x\n    profiles: []\n' });
  assert.equal((await loadManifests(dir)).instances.a.profiles, []);
});

test('scalars are kept as written: numbers and booleans as their source text', async () => {
  const dir = await tree({
    'm.yaml': [
      'instances:',
      '  a:',
      '    image: x',
      '    limits: {cpu: 1, memory: 512MB, memory.swap: false, processes: 0100}',
      '    config: {user.ratio: 0.50, user.big: 1e3, user.t: true, user.q: "007", user.hex: 0x1F, user.multi: "a\\nb"}',
      '    devices:',
      '      eth0: {type: nic, nictype: bridged, parent: lxdbr0, mtu: 1500}',
      '',
    ].join('\n'),
  });
  const a = (await loadManifests(dir)).instances.a;
  assert.equal(a.config, {
    'user.ratio': '0.50',
    'user.big': '1e3',
    'user.t': 'true',
    'user.q': '007',
    'user.hex': '0x1F',
    'user.multi': 'a\nb',
    'limits.cpu': '1',
    'limits.memory': '512MB',
    'limits.memory.swap': 'false',
    'limits.processes': '0100',
  });
  assert.equal(a.devices.eth0, { type: 'nic', nictype: 'bridged', parent: 'lxdbr0', mtu: '1500' });
});

test('a single file: dir is its folder, image paths resolve against it', async () => {
  const dir = await tree({ ...IMAGES, 'sub/one.yaml': BB.replace(/images\/bb/g, '../images/bb') });
  const m = await loadManifests(path.join(dir, 'sub/one.yaml'));
  assert.is(m.dir, path.join(dir, 'sub'));
  assert.equal(m.files, [path.join(dir, 'sub/one.yaml')]);
  assert.is((m.images.bb.source as { metadata: string }).metadata, path.join(dir, 'images/bb/meta.tar.gz'));
});

test('a directory: only *.yaml/*.yml, not hidden files, not sub-directories, sorted by name', async () => {
  const dir = await tree({
    'b.yml': 'profiles:\n  p2: {}\n',
    'a.yaml': 'profiles:\n  p1: {}\n',
    'c.YAML': 'profiles:\n  p3: {}\n',
    '.#a.yaml': 'not: [yaml',
    'notes.txt': 'not: [yaml',
    'nested/x.yaml': 'not: [yaml',
    'dir.yaml/x': '',
  });
  const m = await loadManifests(dir);
  assert.equal(
    m.files,
    ['a.yaml', 'b.yml', 'c.YAML'].map((f) => path.join(dir, f)),
  );
  assert.equal(Object.keys(m.profiles), ['p1', 'p2', 'p3']);
});

test('empty files and comment-only files contribute nothing', async () => {
  const dir = await tree({ 'a.yaml': '', 'b.yaml': '# nothing yet\n', 'c.yaml': 'instances:\nprofiles:\n' });
  const m = await loadManifests(dir);
  assert.equal([m.images, m.profiles, m.instances], [{}, {}, {}]);
});

test('malformed YAML: manifest.syntax with file:line:col', async () => {
  const dir = await tree({ 'bad.yaml': 'instances:\n  web-1:\n    image: [busybox\n    state: running\n' });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.syntax');
  assert.equal(described(e), [`${dir}/bad.yaml:4:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`]);
});

test('tabs for indentation are a located syntax error', async () => {
  const dir = await tree({ 'bad.yaml': 'instances:\n\tweb-1: {image: x}\n' });
  const e = await loadError(dir);
  assert.equal(summary(e)[0], `manifest.syntax ${dir}/bad.yaml:2:1: YAML syntax error: Tabs are not allowed as indentation`);
});

test('several YAML documents in one file are refused with a way out', async () => {
  const dir = await tree({ 'two.yaml': 'profiles:\n  a: {}\n---\nprofiles:\n  b: {}\n' });
  assert.equal(described(await loadError(dir)), [`${dir}/two.yaml:3:1: a manifest file holds one YAML document; split the "---" sections into separate files`]);
});

test('unknown key: located at the key, with did-you-mean', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  web-1:\n    image: x\n    limts: {memory: 1GB}\n' });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.schema');
  assert.equal(described(e), [`${dir}/m.yaml:4:5: unknown key "limts" in instance "web-1"\n  hint: did you mean "limits"?`]);
});

test('unknown keys at every level read naturally', async () => {
  const dir = await tree({
    'm.yaml': [
      'instance:',
      '  web-1: {image: x}',
      'profiles:',
      '  p:',
      '    limits: {memroy: 1GB, limits.cpu: 2, kernel.nofile: 10}',
      '    memory: 1GB',
      '    boot.autostart: true',
      'images:',
      '  i:',
      '    source: {metadata: m, rootfs: r, meta: x}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir, { checkFiles: false })), [
    `${dir}/m.yaml:1:1: unknown top-level key "instance"\n  hint: did you mean "instances"?`,
    `${dir}/m.yaml:5:14: unknown limit "memroy" in profile "p"\n  hint: did you mean "memory"?`,
    `${dir}/m.yaml:5:27: unknown limit "limits.cpu" in profile "p"\n  hint: inside limits: leave out the "limits." prefix: write "cpu"`,
    `${dir}/m.yaml:5:42: unknown limit "kernel.nofile" in profile "p"\n  hint: known limits: cpu, cpu.allowance, cpu.priority, cpu.nodes, memory, memory.enforce, memory.swap, memory.swap.priority, memory.hugepages, processes, disk.priority, network.priority, hugepages.64KB, hugepages.1MB, hugepages.2MB, hugepages.1GB, disk; other LXD keys go under config: (as limits.kernel.nofile)`,
    `${dir}/m.yaml:6:5: unknown key "memory" in profile "p"\n  hint: "memory" is a limit: put it under limits:`,
    `${dir}/m.yaml:7:5: unknown key "boot.autostart" in profile "p"\n  hint: LXD config keys go under config:`,
    `${dir}/m.yaml:10:38: unknown key "meta" in source of image "i"\n  hint: allowed keys: metadata, rootfs, instance, snapshot, remote, alias, fingerprint, directory, architecture, creation_date, properties`,
  ]);
});

test('wrong types: located at the value, saying what was expected and what was found', async () => {
  const dir = await tree({
    'm.yaml': [
      'instances:',
      '  web-1:',
      '    image: x',
      '    profiles: default',
      '    config: {user.list: [a, b], user.empty: }',
      '  web-2:',
      'images:',
      '  i:',
      '    source: {metadata: m, rootfs: r}',
      '    public: yes',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir, { checkFiles: false })), [
    `${dir}/m.yaml:4:15: "profiles" of instance "web-1" must be a list, not the string "default"`,
    `${dir}/m.yaml:5:25: config key "user.list" of instance "web-1" must be a string, number or boolean, not a list\n  hint: values are single strings: quote text that YAML would read as a list or mapping, e.g. "[a, b]"`,
    `${dir}/m.yaml:5:33: config key "user.empty" of instance "web-1" must be a string, number or boolean, not empty\n  hint: write "" for an empty string, or remove the key`,
    `${dir}/m.yaml:6:3: instance "web-2" must be a mapping (key: value), not empty`,
    `${dir}/m.yaml:10:13: "public" of image "i" must be true or false, not the string "yes"\n  hint: YAML 1.2 reads yes/no/on/off as text: write true or false`,
  ]);
});

test('a manifest whose top level is not a mapping', async () => {
  const dir = await tree({ 'm.yaml': '- web-1\n- web-2\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:1:1: a manifest file must be a mapping of sections (images:, profiles:, instances:, networks:, storage_pools:, storage_volumes:), not a list`,
  ]);
});

test('missing keys are reported at the object, enums get did-you-mean, repeated profiles are caught', async () => {
  const dir = await tree({
    'm.yaml': [
      'instances:',
      '  web-1:',
      '    state: runing',
      '    type: vm',
      '    profiles: [default, small, default]',
      '    devices:',
      '      root: {path: /, pool: default}',
      '      eth0: {type: nick}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:3: missing key "image" in instance "web-1"\n  hint: name an image alias from images: or one that exists in LXD, or copy an instance with source: {instance: NAME}`,
    `${dir}/m.yaml:3:12: "state" of instance "web-1" must be one of running, stopped, frozen, not the string "runing"\n  hint: did you mean "running"?`,
    `${dir}/m.yaml:4:11: "type" of instance "web-1" must be one of container, virtual-machine, not the string "vm"`,
    `${dir}/m.yaml:5:32: "default" is listed twice in "profiles" of instance "web-1"\n  hint: LXD applies each profile once: remove the repeat`,
    `${dir}/m.yaml:7:7: missing key "type" in device "root" of instance "web-1"\n  hint: every device needs a type, e.g. type: disk or type: nic`,
    `${dir}/m.yaml:8:20: "type" of device "eth0" of instance "web-1" must be one of disk, nic, none, unix-char, unix-block, unix-hotplug, usb, gpu, infiniband, proxy, tpm, pci, not the string "nick"\n  hint: did you mean "nic"?`,
  ]);
});

test('names must be valid LXD names', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  1web: {image: x}\n  web_1: {image: x}\n  web-: {image: x}\nprofiles:\n  "my profile": {}\n  a/b: {}\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:2:3: invalid instance name "1web": instance names must start with a letter`,
    `${dir}/m.yaml:3:3: invalid instance name "web_1": instance names may contain only ASCII letters, digits and hyphens (they become hostnames)`,
    `${dir}/m.yaml:4:3: invalid instance name "web-": instance names must not end with a hyphen`,
    `${dir}/m.yaml:6:3: invalid profile name "my profile": names must not contain spaces`,
    `${dir}/m.yaml:7:3: invalid profile name "a/b": names must not contain "/"`,
  ]);
});

test('memory: 12XB is a manifest.value error at the value', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  web-1:\n    image: x\n    limits: {memory: 12XB}\n' });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.value');
  assert.equal(described(e), [
    `${dir}/m.yaml:4:22: invalid size "12XB" for limits.memory: use a number with a unit like 512MB or 1GiB, or a percentage like 50%\n  hint: units: kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); a bare number is bytes`,
  ]);
});

test('limit values given under config: are checked too', async () => {
  const dir = await tree({ 'm.yaml': 'profiles:\n  p:\n    config:\n      limits.memory: 512 MB\n      boot.autostart: perhaps\n      limits.disk: 10GB\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:4:22: invalid size "512 MB" for limits.memory: use a number with a unit like 512MB or 1GiB, or a percentage like 50%\n  hint: did you mean "512MB"?`,
    `${dir}/m.yaml:5:23: invalid value "perhaps" for boot.autostart: use true or false`,
    `${dir}/m.yaml:6:20: LXD has no config key limits.disk: give the root disk size as limits: {disk: ...} or as size: on the root disk device`,
  ]);
});

test('bad CPU sets and other limit values', async () => {
  const dir = await tree({
    'm.yaml': [
      'instances:',
      '  a:',
      '    image: x',
      '    limits:',
      '      cpu: 1-3,3',
      '      cpu.nodes: 0-',
      '      cpu.allowance: 1.5GB',
      '      cpu.priority: 11',
      '      memory.enforce: hrad',
      '      memory.swap: maybe',
      '  b:',
      '    image: x',
      '    limits: {cpu: 0.5}',
      '',
    ].join('\n'),
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:5:12: invalid CPU limit "1-3,3" for limits.cpu: use a number of CPUs like 2, or a set of CPU ids like 0-3 or 0,2,4\n  hint: each CPU id may appear only once`,
    `${dir}/m.yaml:6:18: invalid NUMA node set "0-" for limits.cpu.nodes: use node ids like 0, 0-1 or 0,2`,
    `${dir}/m.yaml:7:22: invalid CPU allowance "1.5GB" for limits.cpu.allowance: use a percentage like 50% or a time slice like 25ms/100ms`,
    `${dir}/m.yaml:8:21: invalid value "11" for limits.cpu.priority: use a whole number from 0 to 10`,
    `${dir}/m.yaml:9:23: invalid value "hrad" for limits.memory.enforce: use one of hard, soft\n  hint: did you mean "hard"?`,
    `${dir}/m.yaml:10:20: invalid value "maybe" for limits.memory.swap: use true or false`,
    `${dir}/m.yaml:13:19: invalid CPU limit "0.5" for limits.cpu: use a number of CPUs like 2, or a set of CPU ids like 0-3 or 0,2,4\n  hint: CPU counts are whole numbers; for a fraction of CPU time use cpu.allowance (e.g. 50%)`,
  ]);
});

test('a limit given in limits: and in config: is a manifest.value error naming both places', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  web-1:\n    image: x\n    limits: {memory: 512MB}\n    config: {limits.memory: 1GB}\n' });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.value');
  assert.equal(described(e), [
    `${dir}/m.yaml:5:14: limits.memory is given twice in instance "web-1": in limits: at ${dir}/m.yaml:4:14 and in config: at ${dir}/m.yaml:5:14\n  hint: keep one of them (limits: {memory: ...} is the short form of config: {limits.memory: ...})`,
  ]);
});

test('limits that do not apply to the instance type', async () => {
  const dir = await tree({
    'm.yaml':
      'instances:\n  vm:\n    image: x\n    type: virtual-machine\n    limits: {cpu.allowance: 50%, memory: 1GiB}\n  ct:\n    image: x\n    config: {limits.memory.hugepages: "true"}\n',
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:5:14: limits.cpu.allowance applies to containers only, and instance "vm" is a virtual-machine\n  hint: remove it here, or set it in a profile used only by containers`,
    `${dir}/m.yaml:8:14: limits.memory.hugepages applies to virtual machines only, and instance "ct" is a container\n  hint: remove it here, or set it in a profile used only by virtual machines`,
  ]);
});

test('limits: {disk: ...} becomes the size of the root disk device', async () => {
  const dir = await tree({
    'm.yaml': 'instances:\n  a:\n    image: x\n    limits: {disk: 10GB}\n    devices:\n      root: {type: disk, path: /, pool: default}\n',
  });
  const a = (await loadManifests(dir)).instances.a;
  assert.equal(a.devices.root, { type: 'disk', path: '/', pool: 'default', size: '10GB' });
  assert.equal(a.config, {});
  assert.equal(a.keyAt?.['devices.root.size'], { file: `${dir}/m.yaml`, line: 4, col: 14 });
});

test('limits: {disk: ...} without a root disk device, or with a size already, is an error', async () => {
  const dir = await tree({
    'm.yaml':
      'instances:\n  a:\n    image: x\n    limits: {disk: 10GB}\n  b:\n    image: x\n    limits: {disk: 10GB}\n    devices:\n      root: {type: disk, path: /, pool: default, size: 5GB}\n',
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:4:14: limits.disk in instance "a" needs a root disk device (type: disk, path: /) in the same instance\n  hint: LXD keeps the root disk size as "size" on that device: add devices: {root: {type: disk, path: /, pool: default}}, or set size: on the root device where it is defined`,
    `${dir}/m.yaml:7:14: the root disk size of instance "b" is given twice: limits.disk at ${dir}/m.yaml:7:14 and size of device "root" at ${dir}/m.yaml:9:50\n  hint: keep one of them`,
  ]);
});

test('the same name in two files is manifest.duplicate naming both places', async () => {
  const dir = await tree({
    'a.yaml': 'instances:\n  web-1: {image: x}\nprofiles:\n  p: {}\n',
    'b.yaml': '# second file\ninstances:\n  web-1: {image: y}\n  web-2: {image: y}\nprofiles:\n  p: {}\n',
  });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.duplicate');
  assert.equal(described(e), [
    `${dir}/b.yaml:3:3: instance "web-1" is defined twice: at ${dir}/a.yaml:2:3 and at ${dir}/b.yaml:3:3\n  hint: names are unique per kind across all manifest files: rename or remove one`,
    `${dir}/b.yaml:6:3: profile "p" is defined twice: at ${dir}/a.yaml:4:3 and at ${dir}/b.yaml:6:3\n  hint: names are unique per kind across all manifest files: rename or remove one`,
  ]);
});

test('the same name in different kinds is fine', async () => {
  const dir = await tree({ 'a.yaml': 'instances:\n  web: {image: web, profiles: [web]}\nprofiles:\n  web: {}\n' });
  const m = await loadManifests(dir);
  assert.ok(m.instances.web && m.profiles.web);
});

test('duplicate YAML keys: objects and plain keys, both places named', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  web-1:\n    image: a\n    image: b\n  web-1:\n    image: c\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:4:5: duplicate key "image" in instance "web-1" (first at ${dir}/m.yaml:3:5)\n  hint: a key may appear once per mapping: remove one`,
    `${dir}/m.yaml:5:3: instance "web-1" is defined twice: at ${dir}/m.yaml:2:3 and at ${dir}/m.yaml:5:3\n  hint: names are unique per kind across all manifest files: rename or remove one`,
  ]);
});

test('all problems of all files are reported together, in file and line order', async () => {
  const dir = await tree({
    'a.yaml': 'instances:\n  web-1:\n    imgae: x\n',
    'b.yaml': 'instances:\n  web-2:\n    image: x\n    limits: {memory: 0}\n    state: runing\n',
    'c.yaml': 'profiles: [\n',
  });
  assert.equal(summary(await loadError(dir)), [
    `manifest.schema ${dir}/a.yaml:3:5: unknown key "imgae" in instance "web-1"`,
    `manifest.value ${dir}/b.yaml:4:22: limits.memory cannot be 0`,
    `manifest.schema ${dir}/b.yaml:5:12: "state" of instance "web-2" must be one of running, stopped, frozen, not the string "runing"`,
    `manifest.syntax ${dir}/c.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  ]);
});

test('an empty directory is an error', async () => {
  const dir = await tree({ 'README.md': '# no manifests here\n' });
  const e = await loadError(dir);
  assert.is(e.code, 'manifest.io');
  assert.equal(described(e), [
    `no manifest files (*.yaml, *.yml) in directory "${dir}"\n  hint: point at the directory that holds your manifests, or at one manifest file`,
  ]);
});

test('a path that does not exist is an error', async () => {
  const e = await loadError('/nonexistent/lxplan/manifests');
  assert.is(e.code, 'manifest.io');
  assert.equal(described(e), ['manifest path "/nonexistent/lxplan/manifests" does not exist\n  hint: give a manifest file or a directory of *.yaml files']);
});

test('missing image tarballs are reported at their path in the manifest', async () => {
  const dir = await tree({ 'images/bb/meta.tar.gz': 'm', 'm.yaml': BB });
  const e = await loadError(dir);
  assert.equal(described(e), [
    `${dir}/m.yaml:3:47: image "bb": rootfs file ${dir}/images/bb/rootfs.tar.gz does not exist\n  hint: paths in source: are relative to the folder of the manifest file (${dir}); if a script builds the tarballs, run it first`,
  ]);
  assert.is(e.code, 'manifest.io');
  await loadManifests(dir, { checkFiles: false });
});

test('an alias bomb is rejected quickly', async () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const p = String.fromCharCode(96 + i);
    const n = String.fromCharCode(97 + i);
    lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
  }
  const dir = await tree({ 'bomb.yaml': lines.join('\n') + '\n' });
  const t0 = Date.now();
  const e = await loadError(dir);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal(described(e), [
    `${dir}/bomb.yaml:2:8: too many YAML alias expansions (more than 100); refusing to expand them\n  hint: aliases (*name) are fine for sharing a block a few times; this document expands them exponentially`,
  ]);
});

test('aliases used a few times are fine', async () => {
  const dir = await tree({ 'm.yaml': 'profiles:\n  a:\n    config: &common {user.team: web, boot.autostart: true}\n  b:\n    config: *common\n' });
  const m = await loadManifests(dir);
  assert.equal(m.profiles.b.config, { 'user.team': 'web', 'boot.autostart': 'true' });
});

test('paths in locations are relative to the working directory when under it', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  web-1:\n    limts: {}\n    image: x\n' });
  const prev = process.cwd();
  process.chdir(dir);
  try {
    const e = await loadError('.');
    assert.equal(described(e), ['m.yaml:3:5: unknown key "limts" in instance "web-1"\n  hint: did you mean "limits"?']);
    const ok = await tree({ 'm.yaml': 'profiles:\n  p: {}\n' });
    process.chdir(path.dirname(ok));
    const m = await loadManifests(ok);
    assert.equal(m.files, [`${path.basename(ok)}/m.yaml`]);
    assert.equal(m.profiles.p.at, { file: `${path.basename(ok)}/m.yaml`, line: 2, col: 3 });
    assert.is(m.dir, ok);
  } finally {
    process.chdir(prev);
  }
});

test.run();
