/**
 * Instances in full, end to end against the real LXD daemon, through the CLI, in a throwaway
 * project: copies of an instance's snapshot (`source:`), ...
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('instances in full end to end');

const NO_CHANGES = 'No changes. LXD matches the manifests.\n';

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
  await ctx.m.write({ 'lxplan.yaml': `${images(ctx)}instances:
  base:
    image: busybox
    config: {user.role: base, user.only-base: "yes"}
    snapshots: [s1]
  copy-1:
    source: {instance: base, snapshot: s1}
    config: {user.role: copy}
` });
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

it('a changed source is a guarded replace; removing everything deletes the copy, the snapshot and the base', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': `${images(ctx)}instances:
  base:
    image: busybox
    snapshots: [s1]
  copy-1:
    source: {instance: base}
    config: {user.role: copy}
` });
  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is.not(refused.code, 0, show(refused));
  assert.match(refused.stderr, 'instance copy-1 (replaced');
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-replace'));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, '~ source: base/s1 -> base (replace)');
  assert.is((await run('lxplan', ctx.args())).stdout, NO_CHANGES);

  const d = await run('lxapply', ctx.args('--destroy', '--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  assert.equal((await ctx.project.client.listInstances()).map((i) => i.name), []);
});

it.run();
