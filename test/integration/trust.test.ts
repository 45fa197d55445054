/**
 * Plans you can trust, against the real daemon: saved plans applied exactly, objects changed
 * between plan and apply, protection, adoption, drift, restarts and exit codes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { State } from '../../src/state/model.js';
import type { PlanDocument } from '../../src/cli/views/plan-json.js';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES, DAEMON_WORD } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  yaml: (instances: string) => string;
};
const it = suite<Ctx>('plans you can trust');

const TWO = (memory = '128MB') => `  web-1:
    image: busybox
    limits: {memory: ${memory}}
  web-2:
    image: busybox
    limits: {memory: ${memory}}
`;

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.yaml = (instances) => `images:\n  busybox:\n    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}\ninstances:\n${instances}`;
  ctx.m = await manifestDir({ 'lxplan.yaml': ctx.yaml(TWO()) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more];
  const r = await run('lxapply', ctx.args('--auto-approve', ctx.m.dir));
  assert.is(r.code, 0, show(r));
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('--detailed-exitcode: 0 without changes, 2 with changes, 1 on error', async (ctx) => {
  assert.is((await run('lxplan', ctx.args('--detailed-exitcode', ctx.m.dir))).code, 0);
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB')) });
  const changes = await run('lxplan', ctx.args('--detailed-exitcode', ctx.m.dir));
  assert.is(changes.code, 2, show(changes));
  assert.is((await run('lxplan', ctx.args('--detailed-exitcode', '--socket', '/nonexistent.socket', ctx.m.dir))).code, 1);
});

it('an object changed between plan and apply fails alone with "changed since the plan"; the rest apply', async (ctx) => {
  const planFile = path.join(ctx.m.dir, 'plan.json');
  const p = await run('lxplan', ctx.args('-o', planFile, ctx.m.dir));
  assert.is(p.code, 0, show(p));
  assert.ok(p.stdout.includes('Plan: 0 to add, 2 to change, 0 to destroy.'), show(p));
  // Someone runs `lxc config set web-2 user.note=hand` meanwhile.
  const { client } = ctx.project;
  const { value: web2, etag } = await client.getInstance('web-2');
  await client.updateInstance('web-2', { ...web2, config: { ...web2.config, 'user.note': 'hand' } }, etag);
  const a = await run('lxapply', ctx.args(planFile));
  assert.is(a.code, 1, show(a));
  assert.match(a.stderr, `instance web-2: instance "web-2" was changed in ${DAEMON_WORD} since the plan was made; nothing was written to it`, show(a));
  assert.is((await client.getInstance('web-1')).value.config['limits.memory'], '256MB');
  const web2After = (await client.getInstance('web-2')).value.config;
  assert.is(web2After['limits.memory'], '128MB');
  assert.is(web2After['user.note'], 'hand');
});

it('a saved plan is refused once the state moved on: it cannot be applied twice', async (ctx) => {
  const planFile = path.join(ctx.m.dir, 'plan2.json');
  const p = await run('lxplan', ctx.args('-o', planFile, ctx.m.dir));
  assert.is(p.code, 0, show(p));
  const doc = JSON.parse(await readFile(planFile, 'utf8')) as PlanDocument;
  assert.is(doc.format_version, '1.0');
  const first = await run('lxapply', ctx.args(planFile));
  assert.is(first.code, 0, show(first));
  const second = await run('lxapply', ctx.args(planFile));
  assert.is(second.code, 1, show(second));
  assert.match(second.stderr, `saved plan ${planFile} is stale: the state changed since it was made`, show(second));
  assert.is((await run('lxplan', ctx.args(ctx.m.dir))).stdout, NO_CHANGES);
});

it('drift: a value set by hand is reported as changed outside lxplan; --refresh-only records it', async (ctx) => {
  const { client } = ctx.project;
  const { value, etag } = await client.getInstance('web-1');
  await client.updateInstance('web-1', { ...value, config: { ...value.config, 'limits.memory': '200MB' } }, etag);
  const p = await run('lxplan', ctx.args(ctx.m.dir));
  assert.match(p.stdout, /Changed outside lxplan[\s\S]*instance web-1[\s\S]*config\.limits\.memory: 256MB -> 200MB/, show(p));
  const r = await run('lxplan', ctx.args('--refresh-only', ctx.m.dir));
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, 'LXD was not changed', show(r));
  assert.is((await client.getInstance('web-1')).value.config['limits.memory'], '200MB');
  const after = await run('lxplan', ctx.args(ctx.m.dir));
  assert.not.match(after.stdout, 'Changed outside lxplan', show(after));
  assert.match(after.stdout, 'config.limits.memory: 200MB -> 256MB (live)', show(after));
  assert.is((await run('lxapply', ctx.args('--auto-approve', ctx.m.dir))).code, 0);
});

it('a restart-impact change stays pending until --allow-restart, which restarts the instance', async (ctx) => {
  const { client } = ctx.project;
  const pid = (await client.getInstanceState('web-1')).pid;
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB').replace('  web-2:', '    config: {security.syscalls.deny_compat: "true"}\n  web-2:')) });
  const a = await run('lxapply', ctx.args('--auto-approve', ctx.m.dir));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, 'restart', show(a));
  assert.is((await client.getInstanceState('web-1')).pid, pid, 'not restarted without --allow-restart');
  const pending = await run('lxplan', ctx.args(ctx.m.dir));
  assert.match(pending.stdout, 'restart pending', show(pending));
  const r = await run('lxapply', ctx.args('--auto-approve', '--allow-restart', ctx.m.dir));
  assert.is(r.code, 0, show(r));
  const after = await client.getInstanceState('web-1');
  assert.is(after.status, 'Running');
  assert.is.not(after.pid, pid, 'restarted');
  assert.is((await run('lxplan', ctx.args(ctx.m.dir))).stdout, NO_CHANGES);
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB')) });
  assert.is((await run('lxapply', ctx.args('--auto-approve', '--allow-restart', ctx.m.dir))).code, 0);
});

it('a profile change that needs a restart: pending on the running managed instance until --allow-restart restarts it', async (ctx) => {
  const { client } = ctx.project;
  const withProfile = (deny: boolean) => `${ctx.yaml(TWO('256MB').replace('  web-2:', '    profiles: [default, hardened]\n  web-2:'))}profiles:
  hardened:
    config: {${deny ? 'security.syscalls.deny_compat: "true"' : ''}}
`;
  await ctx.m.write({ 'lxplan.yaml': withProfile(false) });
  const first = await run('lxapply', ctx.args('--auto-approve', ctx.m.dir));
  assert.is(first.code, 0, show(first));
  const pid = (await client.getInstanceState('web-1')).pid;
  await ctx.m.write({ 'lxplan.yaml': withProfile(true) });
  const a = await run('lxapply', ctx.args('--auto-approve', ctx.m.dir));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, '~ web-1 (restart: security.syscalls.deny_compat)', show(a));
  assert.match(a.stdout, 'restart pending: the change takes effect at the next start', show(a));
  assert.is((await client.getInstanceState('web-1')).pid, pid, 'not restarted without --allow-restart');
  const pending = await run('lxplan', ctx.args(ctx.m.dir));
  assert.match(pending.stdout, 'instance web-1: restart pending since an earlier apply: security.syscalls.deny_compat', show(pending));
  const r = await run('lxapply', ctx.args('--auto-approve', '--allow-restart', ctx.m.dir));
  assert.is(r.code, 0, show(r));
  assert.is.not((await client.getInstanceState('web-1')).pid, pid, 'restarted');
  assert.is((await run('lxplan', ctx.args(ctx.m.dir))).stdout, NO_CHANGES);
  // Back to the suite's manifest: the profile goes, the instance leaves it first.
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB')) });
  const back = await run('lxapply', ctx.args('--auto-approve', '--allow-delete', '--allow-restart', ctx.m.dir));
  assert.is(back.code, 0, show(back));
});

it('a protected instance cannot be destroyed by any route', async (ctx) => {
  const { client } = ctx.project;
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB') + '  vault:\n    image: busybox\n    protect: true\n    state: stopped\n') });
  assert.is((await run('lxapply', ctx.args('--auto-approve', ctx.m.dir))).code, 0);
  assert.is((await client.getInstance('vault')).value.config['security.protection.delete'], 'true');
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB')) });
  const removal = await run('lxapply', ctx.args('--auto-approve', '--allow-delete', ctx.m.dir));
  assert.is(removal.code, 1, show(removal));
  assert.match(removal.stderr, 'instance "vault" is protected', show(removal));
  const destroy = await run('lxapply', ctx.args('--auto-approve', '--allow-delete', '--destroy', ctx.m.dir));
  assert.is(destroy.code, 1, show(destroy));
  assert.match(destroy.stderr, 'instance "vault" is protected', show(destroy));
  // And LXD itself refuses a delete by hand.
  let lxdRefused = false;
  await client.deleteInstance('vault').catch(() => {
    lxdRefused = true;
  });
  assert.ok(lxdRefused, 'LXD refuses to delete a protected instance');
  assert.ok((await client.getInstance('vault')).value);
  // Unprotect on purpose, then it can go.
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB') + '  vault:\n    image: busybox\n    protect: false\n    state: stopped\n') });
  assert.is((await run('lxapply', ctx.args('--auto-approve', ctx.m.dir))).code, 0);
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB')) });
  assert.is((await run('lxapply', ctx.args('--auto-approve', '--allow-delete', ctx.m.dir))).code, 0);
});

it('an existing instance is imported without recreating it, and plans No changes', async (ctx) => {
  const { client } = ctx.project;
  await client.createInstance({
    name: 'legacy',
    source: { type: 'image', fingerprint: ctx.image.fingerprint },
    profiles: ['default'],
    config: { 'limits.memory': '64MB', 'user.owner': 'ops' },
    devices: {},
    start: true,
  });
  const before = await client.getInstanceState('legacy');
  const exported = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'instance', '--name', 'legacy']);
  assert.is(exported.code, 0, show(exported));
  await ctx.m.write({ 'legacy.yaml': exported.stdout });
  const conflict = await run('lxplan', ctx.args(ctx.m.dir));
  assert.is(conflict.code, 1, show(conflict));
  assert.match(conflict.stderr, 'instance "legacy" already exists in LXD and is not managed by lxplan', show(conflict));
  const imp = await run('lxplan', ['import', 'instance', 'legacy', ctx.m.dir, '--project', ctx.project.name]);
  assert.is(imp.code, 0, show(imp));
  assert.ok(imp.stdout.endsWith(NO_CHANGES), show(imp));
  assert.is((await run('lxplan', ctx.args(ctx.m.dir))).stdout, NO_CHANGES);
  assert.is((await client.getInstanceState('legacy')).pid, before.pid, 'not recreated or restarted');
});

it('renamed_from renames the instance instead of replacing it', async (ctx) => {
  const { client } = ctx.project;
  const marker = (await client.getInstance('web-2')).value.config['volatile.uuid'];
  await ctx.m.write({ 'lxplan.yaml': ctx.yaml(TWO('256MB').replace('  web-2:', '  web-two:\n    renamed_from: web-2')) });
  const p = await run('lxplan', ctx.args(ctx.m.dir));
  assert.match(p.stdout, '~ instance web-two (renamed from web-2', show(p));
  assert.match(p.stdout, 'Plan: 0 to add, 1 to change, 0 to destroy.', show(p));
  // Running: LXD renames stopped instances only, so the rename is a restart and needs --allow-restart (instance-promises.test.ts).
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-restart', ctx.m.dir));
  assert.is(a.code, 0, show(a));
  const names = (await client.listInstances()).map((i) => i.name).sort();
  assert.ok(names.includes('web-two') && !names.includes('web-2'), names.join(' '));
  const renamed = (await client.getInstance('web-two')).value;
  assert.is(renamed.config['volatile.uuid'], marker, 'the same instance, not a new one');
  assert.is(renamed.status, 'Running');
  assert.is((await run('lxplan', ctx.args(ctx.m.dir))).stdout, NO_CHANGES);
});

it('--destroy removes everything lxplan manages, and nothing else', async (ctx) => {
  const { client } = ctx.project;
  await client.createInstance({
    name: 'bystander',
    source: { type: 'image', fingerprint: ctx.image.fingerprint },
    profiles: ['default'],
    config: {},
    devices: {},
    start: false,
  });
  const r = await run('lxapply', ctx.args('--auto-approve', '--destroy', '--allow-delete', ctx.m.dir));
  assert.is(r.code, 0, show(r));
  assert.equal((await client.listInstances()).map((i) => i.name).sort(), ['bystander']);
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as State;
  assert.equal(state.resources, {});
});

it.run();
