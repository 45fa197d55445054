/**
 * Instances in full, end to end against the real LXD daemon, through the CLI, in a throwaway
 * project: copies of an instance's snapshot (`source:`), files pushed into an instance (`files:`), cloud-init data, ephemeral instances and an architecture, and a virtual machine planned (not applied).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countingSocket, manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('instances in full end to end');

function images(ctx: Ctx): string {
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
`;
}

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({});
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('a copy of a snapshot: base, snapshot and copy in one apply, in order; the copy has its own config; then No changes.', async (ctx) => {
  await ctx.m.write({
    'lxplan.yaml': `${images(ctx)}instances:
  base:
    image: busybox
    config: {user.role: base, user.only-base: "yes"}
    snapshots: [s1]
  copy-1:
    source: {instance: base, snapshot: s1}
    config: {user.role: copy}
`,
  });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, /\+ source: +base\/s1\n/);
  const c = ctx.project.client;
  const copy = (await c.getInstance('copy-1')).value;
  assert.is(copy.status, 'Running');
  assert.is(copy.config['user.role'], 'copy');
  // LXD merges the original's config into a copy: lxplan writes the copy's own config after it.
  assert.is(copy.config['user.only-base'], undefined);
  // Made without the original's snapshots (instance_only).
  assert.equal(await c.listSnapshots('copy-1'), []);
  const p = await run('lxplan', ctx.args());
  assert.is(p.stdout, NO_CHANGES, show(p));
});

it('a changed source is a guarded replace; the original may go once copied; removing everything deletes the rest', async (ctx) => {
  await ctx.m.write({
    'lxplan.yaml': `${images(ctx)}instances:
  base:
    image: busybox
    snapshots: [s1]
  copy-1:
    source: {instance: base}
    config: {user.role: copy}
`,
  });
  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is.not(refused.code, 0, show(refused));
  assert.match(refused.stderr, 'instance copy-1 (replaced');
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-replace'));
  assert.is(a.code, 0, show(a));
  assert.match(
    a.stdout,
    '~ source: base/s1 -> base (replace; base is copied while it runs: files being written may be copied half-way (copy a snapshot for a consistent copy))',
  );
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);

  // The copy is independent of its original: base (and its snapshot) may go, the copy stays.
  await ctx.m.write({
    'lxplan.yaml': `${images(ctx)}instances:
  copy-1:
    source: {instance: base}
    config: {user.role: copy}
`,
  });
  const g = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(g.code, 0, show(g));
  assert.equal(
    (await ctx.project.client.listInstances()).map((i) => [i.name, i.status]),
    [['copy-1', 'Running']],
  );
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);

  const d = await run('lxapply', ctx.args('--destroy', '--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  assert.equal(
    (await ctx.project.client.listInstances()).map((i) => i.name),
    [],
  );
});

function filesManifest(ctx: Ctx, motd: string, mode: string): string {
  return `${images(ctx)}instances:
  files-1:
    image: busybox
    files:
      /etc/motd:
        content: |
${motd
  .split('\n')
  .filter(Boolean)
  .map((l) => `          ${l}`)
  .join('\n')}
        mode: "${mode}"
      /opt/app/app.conf: {source: app.conf, uid: 1000, gid: 1000}
`;
}

it("files: pushed at create, read back through LXD's file API; an edit is pushed live without a restart; then No changes.", async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': filesManifest(ctx, 'hello\nworld\n', '0640'), 'app.conf': 'port = 80\n' });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const c = ctx.project.client;
  const motd = await c.pullFile('files-1', '/etc/motd');
  assert.is(motd.content.toString(), 'hello\nworld\n');
  assert.equal([motd.mode, motd.uid, motd.gid], ['0640', 0, 0]);
  const conf = await c.pullFile('files-1', '/opt/app/app.conf');
  assert.is(conf.content.toString(), 'port = 80\n');
  assert.equal([conf.mode, conf.uid, conf.gid], ['0644', 1000, 1000]);
  // /opt/app was not in the image: made, root's, 0755.
  const dir = await c.pullFile('files-1', '/opt/app');
  assert.equal([dir.type, dir.mode, dir.uid], ['directory', '0755', 0]);
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);

  const pid = (await c.getInstanceState('files-1')).pid;
  assert.ok(pid > 0);
  // A text edit (shown as a text diff), a mode change (LXD keeps an existing file's mode on overwrite) and an edited source file.
  await ctx.m.write({ 'lxplan.yaml': filesManifest(ctx, 'hello\nthere\n', '0600'), 'app.conf': 'port = 81\n' });
  const p = await run('lxplan', ctx.args());
  assert.match(p.stdout, '-world\n', show(p));
  assert.match(p.stdout, '+there\n');
  assert.match(p.stdout, 'files./opt/app/app.conf: (live; pushed into the instance, no restart)\n          -port = 80\n          +port = 81\n');
  const e = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(e.code, 0, show(e));
  const after = await c.pullFile('files-1', '/etc/motd');
  assert.is(after.content.toString(), 'hello\nthere\n');
  assert.is(after.mode, '0600');
  assert.is((await c.pullFile('files-1', '/opt/app/app.conf')).content.toString(), 'port = 81\n');
  const st = await c.getInstanceState('files-1');
  assert.is(st.status, 'Running');
  assert.is(st.pid, pid, 'the same PID 1: no restart');
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);

  // A change of other keys touches no file: not even a read of one.
  const proxy = await countingSocket();
  try {
    await ctx.m.write({
      'lxplan.yaml': filesManifest(ctx, 'hello\nthere\n', '0600').replace(
        '  files-1:\n    image: busybox\n',
        '  files-1:\n    image: busybox\n    config: {user.note: files}\n',
      ),
    });
    const u = await run('lxapply', ctx.args('--auto-approve', '--socket', proxy.path));
    assert.is(u.code, 0, show(u));
    assert.ok(
      proxy.requests.some((r) => r.startsWith('PUT /1.0/instances/files-1')),
      proxy.requests.join('\n'),
    );
    assert.equal(
      proxy.requests.filter((r) => /\/files\?path=/.test(r)),
      [],
      'no file request',
    );
  } finally {
    await proxy.close();
  }
  assert.is((await c.pullFile('files-1', '/etc/motd')).content.toString(), 'hello\nthere\n');

  // Removed from the manifest: no longer managed, left in the instance.
  await ctx.m.write({
    'lxplan.yaml': filesManifest(ctx, 'hello\nthere\n', '0600')
      .replace(/ {6}\/opt\/app\/app\.conf.*\n/, '')
      .replace('    image: busybox\n    files:', '    image: busybox\n    config: {user.note: files}\n    files:'),
  });
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, 'no longer managed: the file stays in the instance as it is');
  assert.is((await c.pullFile('files-1', '/opt/app/app.conf')).content.toString(), 'port = 81\n');
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);
});

/** The image is the busybox the tests above made (it is theirs to manage: this manifest names it without declaring it). */
function cloudInitManifest(packages: string[]): string {
  return `instances:
  ci-1:
    image: busybox
    config:
      cloud-init.user-data: |
        #cloud-config
        packages:
${packages.map((p) => `          - ${p}`).join('\n')}
`;
}

it('cloud-init data: LXD 5.0.2 takes cloud-init.user-data; a change is stored, not run: a new instance-id, no restart until allowed', async (ctx) => {
  // Its own folder, so its own state: the instances of the tests above are not this one's to delete.
  const m = await manifestDir({ 'lxplan.yaml': cloudInitManifest(['nginx']) });
  const args = (...more: string[]) => ['--project', ctx.project.name, ...more, m.dir];
  try {
    const a = await run('lxapply', args('--auto-approve'));
    assert.is(a.code, 0, show(a));
    const c = ctx.project.client;
    const before = (await c.getInstance('ci-1')).value;
    assert.is(before.config['cloud-init.user-data'], '#cloud-config\npackages:\n  - nginx\n');
    const pid = (await c.getInstanceState('ci-1')).pid;

    await m.write({ 'lxplan.yaml': cloudInitManifest(['nginx', 'curl']) });
    const e = await run('lxapply', args('--auto-approve'));
    assert.is(e.code, 0, show(e));
    assert.match(e.stdout, '+  - curl\n');
    assert.match(e.stdout, 'nothing runs it now; LXD gives the instance a new cloud-init instance-id');
    assert.match(e.stdout, 'restart pending');
    const after = (await c.getInstance('ci-1')).value;
    assert.is(after.config['cloud-init.user-data'], '#cloud-config\npackages:\n  - nginx\n  - curl\n');
    // What the note rests on: LXD regenerates the cloud-init instance-id when the data changes.
    assert.is.not(after.config['volatile.cloud-init.instance-id'], before.config['volatile.cloud-init.instance-id']);
    assert.is((await c.getInstanceState('ci-1')).pid, pid, 'not restarted without --allow-restart');

    const p = await run('lxplan', args());
    assert.match(p.stdout, 'restart pending since an earlier apply: cloud-init.user-data', show(p));
    const r = await run('lxapply', args('--auto-approve', '--allow-restart'));
    assert.is(r.code, 0, show(r));
    assert.is.not((await c.getInstanceState('ci-1')).pid, pid);
    assert.is((await run('lxplan', args())).stdout, NO_CHANGES);
  } finally {
    await m.cleanup();
  }
});

it('ephemeral: created ephemeral; a restart keeps it; stopping it is a guarded replace that leaves it stopped; then No changes.', async (ctx) => {
  const manifest = (extra: string) => `instances:\n  eph-1:\n    image: busybox\n    ephemeral: true\n    architecture: x86_64\n${extra}`;
  const m = await manifestDir({ 'lxplan.yaml': manifest('    description: one\n') });
  const args = (...more: string[]) => ['--project', ctx.project.name, ...more, m.dir];
  const c = ctx.project.client;
  try {
    const a = await run('lxapply', args('--auto-approve'));
    assert.is(a.code, 0, show(a));
    assert.equal([(await c.getInstance('eph-1')).value.ephemeral, (await c.getInstance('eph-1')).value.status], [true, 'Running']);

    // A restart (a restart-impact key, allowed) keeps an ephemeral instance.
    const pid = (await c.getInstanceState('eph-1')).pid;
    await m.write({ 'lxplan.yaml': manifest('    description: two\n    config: {security.privileged: "false"}\n') });
    const r = await run('lxapply', args('--auto-approve', '--allow-restart'));
    assert.is(r.code, 0, show(r));
    assert.match(r.stdout, /~ description: +one -> two \(live\)/);
    const after = (await c.getInstance('eph-1')).value;
    assert.equal([after.status, after.description], ['Running', 'two']);
    assert.is.not((await c.getInstanceState('eph-1')).pid, pid, 'restarted');

    await m.write({ 'lxplan.yaml': manifest('    description: two\n    config: {security.privileged: "false"}\n    state: stopped\n') });
    const refused = await run('lxapply', args('--auto-approve'));
    assert.is.not(refused.code, 0, show(refused));
    assert.match(refused.stdout, 'LXD deletes an ephemeral instance when it stops');
    assert.match(refused.stderr, 'instance eph-1 (replaced');
    assert.is((await c.getInstance('eph-1')).value.status, 'Running');
    const s = await run('lxapply', args('--auto-approve', '--allow-replace'));
    assert.is(s.code, 0, show(s));
    const stopped = (await c.getInstance('eph-1')).value;
    assert.equal([stopped.status, stopped.ephemeral], ['Stopped', true]);
    assert.is((await run('lxplan', args())).stdout, NO_CHANGES);
  } finally {
    await run('lxapply', args('--destroy', '--auto-approve', '--allow-delete'));
    await m.cleanup();
  }
});

/*
 * Virtual machines are planned against the real daemon but never applied: this host's kernel has
 * no vhost_vsock, so LXD cannot start a VM here (nothing that needs a VM works on these machines:
 * no test boots one), and the busybox test image is a container image besides. What can be checked
 * without booting one is checked: the plan, and the refusal of a container image.
 */
it('virtual machines: planned against LXD (not applied: no vhost_vsock here); a container image is refused', async (ctx) => {
  // An image LXD does not have yet (the busybox rootfs gzipped again: other bytes, another
  // fingerprint), so its type is not known before it is uploaded and the plan goes through.
  const rootfs = gzipSync(gunzipSync(await readFile(ctx.image.rootfsPath)), { level: 1 });
  const manifest = (image: string) => `${
    image === 'vm-image'
      ? `images:
  vm-image:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: vm-rootfs.tar.gz}
`
      : ''
  }instances:
  vm-1:
    image: ${image}
    type: virtual-machine
    limits: {cpu: 2, memory: 2GiB, memory.hugepages: true}
    config:
      cloud-init.user-data: |
        #cloud-config
        packages: [nginx]
`;
  const m = await manifestDir({ 'lxplan.yaml': manifest('vm-image') });
  await writeFile(path.join(m.dir, 'vm-rootfs.tar.gz'), rootfs);
  const args = (...more: string[]) => ['--project', ctx.project.name, ...more, m.dir];
  try {
    const p = await run('lxplan', args());
    assert.is(p.code === 0 || p.code === 2, true, show(p));
    assert.match(p.stdout, /\+ instance vm-1\n +\+ image: +vm-image\n +\+ type: +virtual-machine\n/, show(p));
    assert.match(p.stdout, /\+ config\.limits\.memory\.hugepages: +true/);
    assert.match(p.stdout, 'Plan: 2 to add, 0 to change, 0 to destroy.');

    // busybox exists in LXD (the tests above made it) and is a container image: refused before anything changes.
    await m.write({ 'lxplan.yaml': manifest('busybox') });
    const refused = await run('lxplan', args());
    assert.is.not(refused.code, 0, show(refused));
    assert.match(refused.stderr, 'instance "vm-1" is a virtual-machine, but image "busybox" is a container image');
    assert.is(
      (await ctx.project.client.listInstances()).some((i) => i.name === 'vm-1'),
      false,
    );
  } finally {
    await m.cleanup();
  }
});

it.run();
