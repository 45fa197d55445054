/**
 * Named snapshots end to end, against the real LXD daemon, through the CLI, in a throwaway
 * project: taken once and kept, deleted only with --allow-delete, and restored with
 * lxapply --restore (the config goes back; the instance stays).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestDir, run, show } from './cli.js';
import { buildBusyboxImage } from '../../src/resources/image/files.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('named snapshots end to end');

function manifest(ctx: Ctx, stage: string, snapshots: string[]): string {
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
instances:
  web-1:
    image: busybox
    config: {user.stage: ${stage}}
    snapshots: [${snapshots.join(', ')}]
`;
}

const snapshotNames = async (ctx: Ctx) => (await ctx.project.client.listSnapshots('web-1')).map((s) => s.name).sort();

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx, 'one', ['before-upgrade', 'clean']) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('lxapply takes the declared snapshots after the instance; then No changes.', async (ctx) => {
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, '+ snapshot web-1/before-upgrade');
  assert.match(a.stdout, '+ snapshot web-1/clean');
  assert.equal(await snapshotNames(ctx), ['before-upgrade', 'clean']);
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, NO_CHANGES);
});

it('a snapshot removed from the manifest: refused without --allow-delete, deleted with it', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, 'one', ['clean']) });
  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is.not(refused.code, 0, show(refused));
  assert.match(refused.stderr, 'snapshot web-1/before-upgrade (deleted)');
  assert.match(refused.stderr, '--allow-delete');
  assert.equal(await snapshotNames(ctx), ['before-upgrade', 'clean']);
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(a.code, 0, show(a));
  assert.equal(await snapshotNames(ctx), ['clean']);
  const p = await run('lxplan', ctx.args());
  assert.is(p.stdout, NO_CHANGES, show(p));
});

it('lxapply --restore rolls the config back to the snapshot; the instance stays', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, 'two', ['clean']) });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.project.client.getInstance('web-1')).value.config['user.stage'], 'two');

  const refused = await run('lxapply', ctx.args('--restore', 'web-1/clean'));
  assert.is(refused.code === 0, false, show(refused));
  assert.match(refused.stderr, '--auto-approve');

  const r = await run('lxapply', ctx.args('--restore', 'web-1/clean', '--auto-approve'));
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, 'lxapply will restore instance web-1 to its snapshot clean, taken ');
  assert.match(r.stdout, 'is lost');
  assert.match(r.stdout, '~ config.user.stage: two -> one');
  const inst = (await ctx.project.client.getInstance('web-1')).value;
  assert.is(inst.config['user.stage'], 'one');
  assert.equal(await snapshotNames(ctx), ['clean']);

  // The manifests still say two: the next plan brings it back.
  const p = await run('lxplan', ctx.args());
  assert.match(p.stdout, 'config.user.stage', show(p));

  const unmanaged = await run('lxapply', ctx.args('--restore', 'web-2/clean', '--auto-approve'));
  assert.is.not(unmanaged.code, 0, show(unmanaged));
  assert.match(unmanaged.stderr, 'not managed by lxplan');
});

it.run();

/**
 * What LXD does to snapshots when their instance is replaced (deleted with it) or renamed (moved
 * with it), and that the plan says so and the apply converges.
 */
type FollowCtx = { project: Ctx['project']; m: Ctx['m']; images: string; args: (...more: string[]) => string[] };
const follows = suite<FollowCtx>('snapshots follow their instance');

function followManifest(ctx: FollowCtx, name: string, image: string, renamedFrom?: string): string {
  return `${ctx.images}instances:
  ${name}:
    image: ${image}
    state: stopped${renamedFrom ? `\n    renamed_from: ${renamedFrom}` : ''}
    snapshots: [clean]
`;
}

follows.before(async (ctx) => {
  ctx.project = await throwawayProject();
  const one = await testImage();
  const dir = await mkdtemp(path.join(tmpdir(), 'lxplan-snap-images-'));
  const two = await buildBusyboxImage(dir, { alias: 'busybox-two' });
  ctx.images = `images:
  one:
    source: {metadata: ${one.metadataPath}, rootfs: ${one.rootfsPath}}
  two:
    source: {metadata: ${two.metadataPath}, rootfs: ${two.rootfsPath}}
`;
  ctx.m = await manifestDir({ 'lxplan.yaml': followManifest(ctx, 'web-1', 'one') });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

follows.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

follows('a renamed instance keeps its snapshot: nothing is deleted or taken again', async (ctx) => {
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const taken = (await ctx.project.client.getSnapshot('web-1', 'clean')).value.created_at;
  await ctx.m.write({ 'lxplan.yaml': followManifest(ctx, 'web-2', 'one', 'web-1') });
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 0, show(r));
  assert.not.match(r.stdout, '- snapshot', show(r));
  assert.is((await ctx.project.client.getSnapshot('web-2', 'clean')).value.created_at, taken);
  const p = await run('lxplan', ctx.args());
  assert.is(p.stdout, NO_CHANGES, show(p));
});

follows('a replaced instance: the plan shows its snapshot replaced, and the apply takes it again', async (ctx) => {
  await ctx.project.client.createSnapshot('web-2', 'by-hand', false);
  await ctx.m.write({ 'lxplan.yaml': followManifest(ctx, 'web-2', 'two') });
  const p = await run('lxplan', ctx.args());
  assert.match(p.stdout, '-/+ snapshot web-2/clean (replace)', show(p));
  assert.match(p.stdout, 'including one lxplan does not manage: by-hand', show(p));
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-replace'));
  assert.is(a.code, 0, show(a));
  assert.equal(
    (await ctx.project.client.listSnapshots('web-2')).map((s) => s.name),
    ['clean'],
  );
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

follows("lxplan export lists an instance's snapshots under snapshots:", async (ctx) => {
  await ctx.project.client.createSnapshot('web-2', 'by-hand', false);
  const e = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'instance', '--name', 'web-2']);
  assert.is(e.code, 0, show(e));
  assert.match(e.stdout, /\n {4}snapshots:\n {6}- by-hand\n {6}- clean\n/, show(e));
});

follows.run();
