/**
 * Promises about instances, kept against the real LXD daemon, through the CLI, in throwaway
 * projects: a rename of a running instance is a restart and needs --allow-restart like any other;
 * lxapply --restore finds the project the way every command does (the manifests' project:) and
 * records what it rolled back, so the next plan shows no drift; lxplan export --import writes the
 * project it read into the manifest, and adoption leaves nothing pending (built-ins included).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';

type Project = Awaited<ReturnType<typeof throwawayProject>>;
type Dir = Awaited<ReturnType<typeof manifestDir>>;

const pidOf = async (project: Project, name: string) => (await project.client.getInstanceState(name)).pid;

// ---------------------------------------------------------------------------------------------
type RenameCtx = { project: Project; m: Dir; images: string; args: (...more: string[]) => string[] };
const rename = suite<RenameCtx>('a rename of a running instance is a restart: it needs --allow-restart');

const renameManifest = (ctx: RenameCtx, name: string, renamedFrom?: string) => `${ctx.images}instances:
  ${name}:
    image: busybox
    snapshots: [before]${renamedFrom ? `\n    renamed_from: ${renamedFrom}` : ''}
`;

rename.before(async (ctx) => {
  ctx.project = await throwawayProject();
  const image = await testImage();
  ctx.images = `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\n`;
  ctx.m = await manifestDir({ 'lxplan.yaml': renameManifest(ctx, 'a') });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

rename.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

rename('without --allow-restart the rename is refused and the instance keeps running, untouched; with it, renamed', async (ctx) => {
  const made = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(made.code, 0, show(made));
  const pid = await pidOf(ctx.project, 'a');
  assert.ok(pid > 0, 'a runs');
  const taken = (await ctx.project.client.getSnapshot('a', 'before')).value.created_at;

  await ctx.m.write({ 'lxplan.yaml': renameManifest(ctx, 'b', 'a') });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.match(p.stdout, '~ instance b (renamed from a; restart)', show(p));
  assert.match(p.stdout, '~ name: a -> b (restart; LXD renames stopped instances only: it is stopped, renamed and started)', show(p));
  assert.match(p.stdout, 'restart needed: the change cannot wait for the next start; lxapply refuses it without --allow-restart', show(p));

  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(refused.code, 1, show(refused));
  assert.match(
    refused.stderr,
    'the plan restarts instance b (renamed from a: LXD renames stopped instances only), and restarts are never implicit',
    show(refused),
  );
  assert.match(refused.stderr, 'run lxapply with --allow-restart to allow it (or restart: auto on the instance); nothing was changed', show(refused));
  const still = (await ctx.project.client.getInstance('a')).value;
  assert.is(still.status, 'Running');
  assert.is(await pidOf(ctx.project, 'a'), pid, 'the same init: never stopped');
  assert.equal(
    (await ctx.project.client.listInstances()).map((i) => i.name),
    ['a'],
  );

  const done = await run('lxapply', ctx.args('--auto-approve', '--allow-restart'));
  assert.is(done.code, 0, show(done));
  assert.equal(
    (await ctx.project.client.listInstances()).map((i) => [i.name, i.status]),
    [['b', 'Running']],
  );
  assert.is.not(await pidOf(ctx.project, 'b'), pid, 'restarted to be renamed');
  // LXD moves the snapshots with it: kept, not deleted and taken again.
  assert.not.match(done.stdout, '- snapshot', show(done));
  assert.is((await ctx.project.client.getSnapshot('b', 'before')).value.created_at, taken);
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

rename('a stopped instance is renamed without --allow-restart (no restart)', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': `${renameManifest(ctx, 'b')}    state: stopped\n` });
  const stopped = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(stopped.code, 0, show(stopped));
  await ctx.m.write({ 'lxplan.yaml': `${renameManifest(ctx, 'c', 'b')}    state: stopped\n` });
  const done = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(done.code, 0, show(done));
  assert.equal(
    (await ctx.project.client.listInstances()).map((i) => [i.name, i.status]),
    [['c', 'Stopped']],
  );
});

rename.run();

// ---------------------------------------------------------------------------------------------
type RestoreCtx = { project: Project; m: Dir; images: string };
const restore = suite<RestoreCtx>("lxapply --restore: the manifests' project:, and recorded in the state");

const restoreManifest = (ctx: RestoreCtx, stage: string) => `project: ${ctx.project.name}
${ctx.images}instances:
  x:
    image: busybox
    config: {user.stage: ${stage}}
    snapshots: [s1]
`;

restore.before(async (ctx) => {
  ctx.project = await throwawayProject();
  const image = await testImage();
  ctx.images = `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\n`;
  ctx.m = await manifestDir({ 'lxplan.yaml': restoreManifest(ctx, 'one') });
});

restore.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

restore("without --project, lxapply --restore works in the manifests' project; the next plan shows no drift", async (ctx) => {
  const a = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(a.code, 0, show(a));
  await ctx.m.write({ 'lxplan.yaml': restoreManifest(ctx, 'two') });
  const b = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(b.code, 0, show(b));

  const r = await run('lxapply', ['--restore', 'x/s1', '--auto-approve', ctx.m.dir]);
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, '~ config.user.stage: two -> one', show(r));
  assert.is((await ctx.project.client.getInstance('x')).value.config['user.stage'], 'one');

  // lxplan did it: not drift. The manifests still say two: the plan brings it back.
  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.not.match(p.stdout, 'Changed outside lxplan', show(p));
  assert.match(p.stdout, '~ config.user.stage: one -> two (live)', show(p));

  // And LXPLAN_PROJECT naming another project is refused, as for every command.
  const other = await run('lxapply', ['--restore', 'x/s1', '--auto-approve', ctx.m.dir], { LXPLAN_PROJECT: 'default' });
  assert.is(other.code, 1, show(other));
  assert.match(other.stderr, '--project (or LXPLAN_PROJECT) says "default" and the manifests say project:', show(other));
});

restore.run();

// ---------------------------------------------------------------------------------------------
type AdoptCtx = { project: Project; made: Dir; out: Dir; one: Dir };
const adopt = suite<AdoptCtx>('adoption: lxplan export --project P --import, lxplan import');

adopt.before(async (ctx) => {
  ctx.project = await throwawayProject();
  // Networks and volumes of its own, so that export reads only this project's (and the host's pools).
  const { value: p, etag } = await ctx.project.client.getProject(ctx.project.name);
  await ctx.project.client.updateProject(
    ctx.project.name,
    { description: p.description, config: { ...p.config, 'features.networks': 'true', 'features.storage.volumes': 'true' } },
    etag,
  );
  const image = await testImage();
  // Made by another tool (here: lxplan with a state of its own).
  ctx.made = await manifestDir({
    'lxplan.yaml': `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n  legacy:\n    image: busybox\n    config: {user.owner: someone}\n`,
  });
  const made = await run('lxapply', ['--project', ctx.project.name, '--auto-approve', ctx.made.dir]);
  assert.is(made.code, 0, show(made));
  ctx.out = await manifestDir({});
  ctx.one = await manifestDir({});
});

adopt.after(async (ctx) => {
  await ctx.project?.cleanup();
  for (const d of [ctx.made, ctx.out, ctx.one]) await d?.cleanup();
});

adopt('export --project P --import writes project: P; the next plan, without --project, says No changes.', async (ctx) => {
  const dir = `${ctx.out.dir}/adopted`;
  const e = await run('lxplan', ['export', dir, '--project', ctx.project.name, '--import']);
  assert.is(e.code, 0, show(e));
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`${dir}/lxplan.yaml`, 'utf8');
  assert.match(text, new RegExp(`\\nproject: ${ctx.project.name}\\n`), text);
  const p = await run('lxplan', [dir]);
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, NO_CHANGES, show(p));
});

adopt('lxplan import of an instance adopts the built-ins the manifests declare: nothing is left pending', async (ctx) => {
  const e = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'profile', '--name', 'default']);
  assert.is(e.code, 0, show(e));
  const i = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'instance', '--name', 'legacy']);
  assert.is(i.code, 0, show(i));
  await ctx.one.write({ 'profiles.yaml': e.stdout, 'instances.yaml': i.stdout });
  const imp = await run('lxplan', ['import', 'instance', 'legacy', '--project', ctx.project.name, ctx.one.dir]);
  assert.is(imp.code, 0, show(imp));
  const p = await run('lxplan', ['--project', ctx.project.name, ctx.one.dir]);
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, NO_CHANGES, show(p));
});

adopt('lxplan --json: an error from the plan (an unmanaged instance in the way) is a JSON document on stdout, exit 1', async (ctx) => {
  const m = await manifestDir({ 'lxplan.yaml': `project: ${ctx.project.name}\ninstances:\n  legacy:\n    image: busybox\n` });
  try {
    const r = await run('lxplan', ['--json', m.dir]);
    assert.is(r.code, 1, show(r));
    const doc = JSON.parse(r.stdout) as { errors: { code: string; line?: number; message: string }[] };
    assert.equal(
      doc.errors.map((e) => [e.code, e.line]),
      [['plan.conflict', 3]],
    );
    assert.match(doc.errors[0].message, 'instance "legacy" already exists in LXD and is not managed by lxplan');
    assert.match(r.stderr, 'already exists in LXD', show(r));
  } finally {
    await m.cleanup();
  }
});

adopt.run();
