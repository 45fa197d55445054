/** Loading instances in full: `source:` copies and `files:`, with the errors a user sees. */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { sha256Of } from '../../src/resources/instance/files.js';
import { loadError, summary, tree } from './helpers.js';

test('source: a copy of an instance or of its snapshot; image stays empty', async () => {
  const dir = await tree({ 'm.yaml': 'instances:\n  c1:\n    source: {instance: base, snapshot: s1}\n  c2:\n    source: {instance: base}\n' });
  const m = await loadManifests(dir);
  assert.equal(m.instances.c1.copyOf, { instance: 'base', snapshot: 's1' });
  assert.equal(m.instances.c2.copyOf, { instance: 'base' });
  assert.is(m.instances.c1.image, '');
  assert.equal(m.instances.c1.keyAt?.['source.snapshot'], { file: path.join(dir, 'm.yaml'), line: 3, col: 30 });
});

test('image: and source: together, or neither, are one clear error each; a typo of image is the typo only', async () => {
  const dir = await tree({
    'm.yaml': 'instances:\n  both:\n    image: bb\n    source: {instance: base}\n  none:\n    description: x\n  typo:\n    imgae: bb\n',
  });
  const e = await loadError(dir);
  assert.equal(summary(e), [
    `manifest.value ${path.join(dir, 'm.yaml')}:4:5: instance "both" gives both image: (at ${path.join(dir, 'm.yaml')}:3:5) and source:`,
    `manifest.schema ${path.join(dir, 'm.yaml')}:5:3: missing key "image" in instance "none"`,
    `manifest.schema ${path.join(dir, 'm.yaml')}:8:5: unknown key "imgae" in instance "typo"`,
  ]);
  const e2 = await loadError(await tree({ 'm.yaml': 'instances:\n  c1:\n    source: {snapshot: s1}\n' }));
  assert.match(summary(e2)[0], 'missing key "instance" in source of instance "c1"');
});

test('files: inline content and source files relative to the manifest file, hashed; mode, uid, gid, sensitive', async () => {
  const dir = await tree({
    'sub/m.yaml': `instances:
  web:
    image: bb
    files:
      /etc/motd: {content: "hello\\n", mode: "0640", uid: 1000, gid: 1000}
      /etc/app.conf: {source: ../conf/app.conf}
      /etc/token: {content: s3cret, sensitive: true, mode: 0600}
`,
    'conf/app.conf': 'port = 80\n',
  });
  const m = await loadManifests(path.join(dir, 'sub'), { checkFiles: false });
  const files = m.instances.web.files!;
  assert.equal(files['/etc/motd'], {
    content: Buffer.from('hello\n').toString('base64'),
    sha256: sha256Of(Buffer.from('hello\n')),
    mode: '0640',
    uid: 1000,
    gid: 1000,
  });
  assert.equal(files['/etc/app.conf'], {
    content: Buffer.from('port = 80\n').toString('base64'),
    sha256: sha256Of(Buffer.from('port = 80\n')),
    mode: '0644',
    uid: 0,
    gid: 0,
    source: path.join(dir, 'conf/app.conf'),
  });
  assert.equal(files['/etc/token'].mode, '0600');
  assert.is(files['/etc/token'].sensitive, true);
});

test('files: a relative path, a missing source, both content and source, a bad mode: located errors', async () => {
  const dir = await tree({
    'm.yaml': `instances:
  web:
    image: bb
    files:
      etc/motd: {content: x}
      /etc/a: {source: ./missing}
      /etc/b: {content: x, source: ./b}
      /etc/c: {content: x, mode: "0999"}
      /etc/d: {content: x, owner: root}
`,
  });
  const e = await loadError(dir, { checkFiles: false });
  const f = path.join(dir, 'm.yaml');
  assert.equal(summary(e), [
    `manifest.value ${f}:5:7: file path "etc/motd" of instance "web" must be an absolute path to a file inside the instance, such as /etc/motd`,
    `manifest.io ${f}:6:24: file "/etc/a" of instance "web": ${path.join(dir, 'missing')} does not exist`,
    `manifest.value ${f}:7:28: file "/etc/b" of instance "web" needs exactly one of content: and source:`,
    `manifest.value ${f}:8:34: invalid mode "0999" of file "/etc/c" of instance "web": write it in octal, like "0644" or "0600"`,
    `manifest.schema ${f}:9:28: unknown key "owner" in "files./etc/d" of instance "web"`,
  ]);
});

test('cloud-init data under its new and its legacy name in one config is an error at the legacy key', async () => {
  const dir = await tree({
    'm.yaml': 'instances:\n  web:\n    image: bb\n    config:\n      cloud-init.user-data: |\n        #cloud-config\n      user.user-data: "#cloud-config"\n',
  });
  const e = await loadError(dir, { checkFiles: false });
  assert.equal(summary(e), [
    `manifest.value ${path.join(dir, 'm.yaml')}:7:7: instance "web" gives cloud-init data twice: cloud-init.user-data and user.user-data (its legacy name)`,
  ]);
  const ok = await loadManifests(
    await tree({
      'm.yaml': 'instances:\n  web:\n    image: bb\n    config:\n      cloud-init.user-data: |\n        #cloud-config\n        packages: [curl]\n',
    }),
    { checkFiles: false },
  );
  assert.is(ok.instances.web.config['cloud-init.user-data'], '#cloud-config\npackages: [curl]\n');
});

test('virtual machines: VM-only limits accepted, container-only limits and files: refused, located', async () => {
  const dir = await tree({
    'm.yaml':
      'instances:\n  vm-1:\n    image: bb\n    type: virtual-machine\n    limits: {memory: 2GiB, memory.hugepages: true, processes: 100}\n    files:\n      /etc/motd: {content: x}\n',
  });
  const e = await loadError(dir, { checkFiles: false });
  const f = path.join(dir, 'm.yaml');
  assert.equal(summary(e), [
    `manifest.value ${f}:5:52: limits.processes applies to containers only, and instance "vm-1" is a virtual-machine`,
    `manifest.value ${f}:6:5: files: of instance "vm-1" are for containers only: LXD writes a virtual machine's files through its agent, which needs the VM running`,
  ]);
});

test.run();
