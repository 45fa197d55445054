/**
 * project: on objects end to end, against the real LXD daemon, through the CLI. The directory's
 * scope is a harness throwaway project (A); it declares a second project (B, a unique name
 * claimed on A before lxplan creates it, so a crashed run's sweep removes it too) and puts an
 * image and an instance in B, next to an image and an instance in A made from the same files.
 * Everything is read back from LXD, project by project.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import { manifestDir, run, show } from './cli.js';
import { TEST_PREFIX, testImage, throwawayProject, NO_CHANGES } from './harness.js';

type Ctx = {
  a: Awaited<ReturnType<typeof throwawayProject>>;
  b: string;
  created: string;
  root: LxdClient;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
};
const it = suite<Ctx>('project: on objects: an image and an instance in another project than the scope');

const ROOT_DISK = '    devices:\n      root: {type: disk, path: /, pool: default}\n';

/** `caInB`: instance ca moved to B; `withCb`: instance cb (in B) still declared. */
function manifest(ctx: Ctx, parts: { caInB?: boolean; withCb?: boolean; withCc?: boolean } = {}): string {
  const { caInB = false, withCb = true, withCc = false } = parts;
  const src = `{metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}`;
  return `project: ${ctx.a.name}
projects:
  ${ctx.b}:
    description: lxplan integration test (project per object)
    config:
      user.lxplan.test.host: "${hostname()}"
      user.lxplan.test.pid: "${process.pid}"
      user.lxplan.test.created: "${ctx.created}"
images:
  busybox:
    source: ${src}
  busybox-b:
    project: ${ctx.b}
    source: ${src}
instances:
  ca:
${caInB ? `    project: ${ctx.b}\n    image: busybox-b\n` : '    image: busybox\n'}${ROOT_DISK}${
    withCb
      ? `  cb:
    project: ${ctx.b}
    image: busybox-b
    snapshots: [clean]
${ROOT_DISK}`
      : ''
  }${
    withCc
      ? `  cc:
    project: ${ctx.b}
    image: busybox-b
    state: stopped
${ROOT_DISK}`
      : ''
  }`;
}

const names = async (c: LxdClient) => (await c.listInstances()).map((i) => i.name).sort();
const order = (text: string, lines: string[]) =>
  lines.map((l) => {
    const i = text.indexOf(l);
    assert.ok(i >= 0, `missing "${l}" in:\n${text}`);
    return i;
  });

it.before(async (ctx) => {
  ctx.root = new LxdClient();
  ctx.image = await testImage();
  ctx.a = await throwawayProject();
  ctx.b = `${TEST_PREFIX}-proj-${randomBytes(3).toString('hex')}`;
  ctx.created = new Date().toISOString();
  // Claimed before lxplan creates it: the harness's cleanup (and a sweep after a crash) purges it.
  await ctx.a.claim('project', ctx.b);
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
});

it.after(async (ctx) => {
  try {
    await ctx.a?.cleanup();
  } finally {
    ctx.root?.close();
    await ctx.m?.cleanup();
  }
});

it('the plan makes project B first, then what is in it; lxapply puts each object in its project; then No changes.', async (ctx) => {
  const j = await run('lxplan', ['--json', ctx.m.dir]);
  assert.is(j.code, 0, show(j));
  const doc = JSON.parse(j.stdout) as { changes: Array<{ address: string; project?: string; depends_on?: string[] }> };
  const by = Object.fromEntries(doc.changes.map((c) => [c.address, c]));
  assert.is(by['instance.cb'].project, ctx.b);
  assert.is(by['image.busybox-b'].project, ctx.b);
  assert.is(by['instance.ca'].project, undefined);
  assert.is(by['image.busybox'].project, undefined);
  for (const a of ['instance.cb', 'image.busybox-b']) assert.ok(by[a].depends_on?.includes(`project.${ctx.b}`), `${a} waits for project ${ctx.b}: ${j.stdout}`);
  assert.not.ok(by['instance.ca'].depends_on?.includes(`project.${ctx.b}`));
  assert.ok(by['instance.cb'].depends_on?.includes('image.busybox-b'));

  const p = await run('lxplan', [ctx.m.dir]);
  assert.ok(new RegExp(`  \\+ instance cb\n      \\+ project: +${ctx.b}\n`).test(p.stdout), show(p));

  const a = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(a.code, 0, show(a));
  const [project, image, instance, snapshot] = order(a.stdout, [
    `project ${ctx.b}: created`,
    'image busybox-b: created',
    'instance cb: created',
    'snapshot cb/clean: created',
  ]);
  assert.ok(project < image && image < instance && instance < snapshot, show(a));

  const inB = ctx.root.withProject(ctx.b);
  assert.equal(await names(inB), ['cb']);
  assert.equal(await names(ctx.a.client), ['ca']);
  assert.equal(
    (await inB.listSnapshots('cb')).map((x) => x.name),
    ['clean'],
    'the snapshot is taken in B',
  );
  assert.ok((await inB.listImages()).some((i) => i.aliases?.some((x) => x.name === 'busybox-b')));
  assert.not.ok((await ctx.a.client.listImages()).some((i) => i.aliases?.some((x) => x.name === 'busybox-b')));
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as {
    resources: Record<string, { attributes?: Record<string, string> }>;
  };
  assert.is(state.resources['instance.cb'].attributes?.project, ctx.b);
  assert.is(state.resources['instance.ca'].attributes?.project, undefined);

  const again = await run('lxplan', ['--detailed-exitcode', ctx.m.dir]);
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('objects of the scope with the names of objects in B are not confused with them (nor touched later)', async (ctx) => {
  // Made by hand in A: an instance named cb and an alias busybox-b (both names lxplan manages in B).
  const fp = (await ctx.a.client.listImages()).find((i) => i.aliases?.some((x) => x.name === 'busybox'))!.fingerprint;
  await ctx.a.client.createImageAlias('busybox-b', fp);
  await ctx.a.client.createInstance({ name: 'cb', source: { type: 'image', fingerprint: fp }, profiles: ['default'], config: {}, devices: {} });
  const p = await run('lxplan', ['--detailed-exitcode', ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, NO_CHANGES, show(p));
});

it('moving an instance to another project is a replace, refused without --allow-replace; then it lives in B only', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { caInB: true }) });
  // B has an instance named ca already (made by hand): the move is refused at plan time, nothing is deleted.
  const inB = ctx.root.withProject(ctx.b);
  const fp = (await inB.listImages()).find((i) => i.aliases?.some((x) => x.name === 'busybox-b'))!.fingerprint;
  await inB.createInstance({
    name: 'ca',
    source: { type: 'image', fingerprint: fp },
    profiles: ['default'],
    config: {},
    devices: { root: { type: 'disk', path: '/', pool: 'default' } },
  });
  const taken = await run('lxplan', [ctx.m.dir]);
  assert.is(taken.code, 1, show(taken));
  assert.match(taken.stderr, `instance "ca" cannot move to project "${ctx.b}": it has an unmanaged instance of that name already`);
  await inB.deleteInstance('ca');

  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.ok(p.stdout.includes('-/+ instance ca'), show(p));
  assert.match(
    p.stdout,
    `~ project: ${ctx.a.name} -> ${ctx.b} (replace; a new instance is made in project "${ctx.b}" and the one in project "${ctx.a.name}" is deleted`,
  );
  const refused = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(refused.code, 1, show(refused));
  assert.match(refused.stderr, 'instance ca (replaced: destroyed and created again)');
  assert.equal(await names(ctx.a.client), ['ca', 'cb']);

  const a = await run('lxapply', ['--auto-approve', '--allow-replace', ctx.m.dir]);
  assert.is(a.code, 0, show(a));
  assert.equal(await names(ctx.root.withProject(ctx.b)), ['ca', 'cb']);
  assert.equal(await names(ctx.a.client), ['cb'], 'ca left A; the hand-made cb stays');
  const again = await run('lxplan', [ctx.m.dir]);
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('an instance removed from the manifests is deleted in the project it lives in; --destroy deletes project B last', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { caInB: true, withCb: false }) });
  // Through a saved plan: it carries the project each change is made in.
  const saved = path.join(ctx.m.dir, 'saved-plan.json');
  const p = await run('lxplan', ['--out', saved, ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  const doc = JSON.parse(await readFile(saved, 'utf8')) as { changes: Array<{ address: string; action: string; project?: string }> };
  assert.equal(
    doc.changes.filter((c) => c.address.startsWith('instance.cb')).map((c) => [c.action, c.project]),
    [['delete', ctx.b]],
  );
  const a = await run('lxapply', ['--auto-approve', '--allow-delete', saved]);
  assert.is(a.code, 0, show(a));
  assert.ok(a.stdout.includes('instance cb: deleted'), show(a));
  assert.equal(await names(ctx.root.withProject(ctx.b)), ['ca']);
  assert.equal(await names(ctx.a.client), ['cb'], 'the hand-made cb of A is left alone');

  // lxplan import of an instance made by hand in B: looked for in B, recorded as living there.
  const inB = ctx.root.withProject(ctx.b);
  const fp = (await inB.listImages()).find((i) => i.aliases?.some((x) => x.name === 'busybox-b'))!.fingerprint;
  await inB.createInstance({
    name: 'cc',
    source: { type: 'image', fingerprint: fp },
    profiles: ['default'],
    config: {},
    devices: { root: { type: 'disk', path: '/', pool: 'default' } },
  });
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { caInB: true, withCb: false, withCc: true }) });
  const conflict = await run('lxplan', [ctx.m.dir]);
  assert.is(conflict.code, 1, show(conflict));
  assert.match(conflict.stderr, 'instance "cc" already exists in LXD and is not managed by lxplan');
  const imp = await run('lxplan', ['import', 'instance', 'cc', ctx.m.dir]);
  assert.is(imp.code, 0, show(imp));
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as {
    resources: Record<string, { attributes?: Record<string, string> }>;
  };
  assert.is(state.resources['instance.cc'].attributes?.project, ctx.b);
  const after = await run('lxplan', [ctx.m.dir]);
  assert.is(after.stdout, NO_CHANGES, show(after));

  const d = await run('lxapply', ['--destroy', '--auto-approve', '--allow-delete', ctx.m.dir]);
  assert.is(d.code, 0, show(d));
  const [instance, other, image, project] = order(d.stdout, [
    'instance ca: deleted',
    'instance cc: deleted',
    'image busybox-b: deleted',
    `project ${ctx.b}: deleted`,
  ]);
  assert.ok(instance < project && other < project && image < project, show(d));
  assert.ok(
    await ctx.root.getProject(ctx.b).then(
      () => false,
      (e) => isNotFound(e),
    ),
    'project B is gone from LXD',
  );
  assert.equal(await names(ctx.a.client), ['cb'], 'the hand-made cb of A is left alone');
  assert.ok(
    (await ctx.a.client.listImages()).some((i) => i.aliases?.some((x) => x.name === 'busybox-b')),
    'the hand-made alias busybox-b of A is left alone',
  );
});

it.run();
