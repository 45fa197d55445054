/**
 * lxplan and lxapply end to end against the real LXD daemon, in a throwaway project:
 * what a user sees (output, exit codes) and what LXD ends up with.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { State } from '../../src/state/model.js';
import { memoryLimitOf } from './cgroup.js';
import { finish, manifestDir, run, show, start } from './cli.js';
import { DAEMON_WORD, NO_CHANGES, testImage, throwawayProject } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('lxapply end to end');

function manifest(image: Ctx['image'], instances: string, profiles = ''): string {
  return `images:
  busybox:
    source:
      metadata: ${image.metadataPath}
      rootfs: ${image.rootfsPath}
profiles:
  small:
    limits: {cpu: 1, memory: 256MB}
    config: {boot.autostart: "false"}
${profiles}
instances:
${instances}`;
}

const THREE = `  web-1:
    image: busybox
    profiles: [default, small]
    limits: {memory: 512MB, cpu.allowance: 40%}
    config: {environment.APP_ENV: production}
  web-2:
    image: busybox
    profiles: [default, small]
  web-3:
    image: busybox
    state: stopped
`;

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx.image, THREE) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('lxplan on an empty project plans every object, and changes nothing', async (ctx) => {
  const r = await run('lxplan', ctx.args());
  assert.is(r.code, 0, show(r));
  assert.ok(r.stdout.includes('  + image busybox\n'), show(r));
  assert.ok(r.stdout.includes('  + profile small\n'), show(r));
  assert.ok(r.stdout.includes('  + instance web-3\n'), show(r));
  assert.ok(r.stdout.endsWith('Plan: 5 to add, 0 to change, 0 to destroy.\n'), show(r));
  assert.equal(await ctx.project.client.listInstances(), []);
});

it('lxapply without a terminal and without --auto-approve refuses', async (ctx) => {
  const r = await run('lxapply', ctx.args());
  assert.is(r.code, 1, show(r));
  assert.ok(r.stderr.includes('lxapply needs a terminal to ask for confirmation'), show(r));
  assert.ok(r.stderr.includes('--auto-approve'), show(r));
});

it('lxapply --auto-approve creates everything, then lxplan says No changes.', async (ctx) => {
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 0, show(r));
  assert.ok(r.stdout.includes(`Apply complete: 5 created in ${DAEMON_WORD}.`), show(r));
  const instances = Object.fromEntries((await ctx.project.client.listInstances()).map((i) => [i.name, i]));
  assert.equal(Object.keys(instances).sort(), ['web-1', 'web-2', 'web-3']);
  assert.is(instances['web-1'].status, 'Running');
  assert.is(instances['web-3'].status, 'Stopped');
  assert.is(instances['web-1'].config['limits.memory'], '512MB');
  assert.equal(instances['web-1'].profiles, ['default', 'small']);
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as State;
  assert.equal(Object.keys(state.resources).sort(), ['image.busybox', 'instance.web-1', 'instance.web-2', 'instance.web-3', 'profile.small']);
  const again = await run('lxplan', ctx.args());
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('raising limits.memory of a running instance: one field, applied live, no restart', async (ctx) => {
  const { client } = ctx.project;
  const before = await client.getInstanceState('web-1');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx.image, THREE.replace('memory: 512MB', 'memory: 1GiB')) });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ config.limits.memory: 512MB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const after = await client.getInstanceState('web-1');
  assert.is(after.status, 'Running');
  assert.is(after.pid, before.pid, 'the init process is the same: the container was not restarted');
  assert.is(await memoryLimitOf(after.pid), 1024 ** 3);
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('removing an instance from the manifest deletes it, and nothing unmanaged is touched', async (ctx) => {
  const { client } = ctx.project;
  await client.createInstance({
    name: 'handmade',
    source: { type: 'image', fingerprint: ctx.image.fingerprint },
    profiles: ['default'],
    config: {},
    devices: {},
    start: false,
  });
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx.image, THREE.replace('memory: 512MB', 'memory: 1GiB').replace(/ {2}web-3:\n.*\n.*\n/, '')) });
  const p = await run('lxplan', ctx.args());
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  - instance web-3

Plan: 0 to add, 0 to change, 1 to destroy.
`,
    show(p),
  );
  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(refused.code, 1, show(refused));
  assert.ok(
    refused.stderr.includes(
      'Error: the plan destroys instance web-3 (deleted): their disks would be lost\n  hint: run lxapply with --allow-delete to allow it; nothing was changed',
    ),
    show(refused),
  );
  assert.is((await client.listInstances()).length, 4);
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(a.code, 0, show(a));
  const names = (await client.listInstances()).map((i) => i.name).sort();
  assert.equal(names, ['handmade', 'web-1', 'web-2']);
});

it('a manifest instance whose name exists in LXD but not in state is a conflict, not overwritten', async (ctx) => {
  const { client } = ctx.project;
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx.image,
      THREE.replace('memory: 512MB', 'memory: 1GiB').replace(/ {2}web-3:\n.*\n.*\n/, '') + '  handmade:\n    image: busybox\n    limits: {memory: 64MB}\n',
    ),
  });
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 1, show(r));
  assert.match(r.stderr, /lxplan\.yaml:\d+:3: instance "handmade" already exists in LXD and is not managed by lxplan; it will not be overwritten/);
  const handmade = (await client.getInstance('handmade')).value;
  assert.is(handmade.config['limits.memory'], undefined);
});

it('two lxapply at once on one state: the second fails at once and names the holder', async (ctx) => {
  const many = Array.from({ length: 8 }, (_, i) => `  batch-${i}:\n    image: busybox\n    state: stopped\n`).join('');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx.image, THREE.replace('memory: 512MB', 'memory: 1GiB').replace(/ {2}web-3:\n.*\n.*\n/, '') + many) });
  const first = start('lxapply', ctx.args('--auto-approve', '--parallelism', '1'));
  const firstDone = finish(first);
  // Wait until the first run has made its first change (it holds the lock from before it prints the plan).
  await new Promise<void>((resolve) =>
    first.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('created (')) resolve();
    }),
  );
  const t0 = Date.now();
  const second = await run('lxapply', ctx.args('--auto-approve'));
  const waited = Date.now() - t0;
  const r1 = await firstDone;
  assert.is(r1.code, 0, show(r1));
  assert.is(second.code, 1, show(second));
  assert.match(second.stderr, new RegExp(`locked by pid ${first.pid} on host \\S+ \\(apply by \\S+, since `), show(second));
  assert.ok(waited < 10_000, `the second run failed at once (took ${waited} ms)`);
});

it('lxapply killed (kill -9) while holding the lock: the next run takes the lock over at once and says from whom', async (ctx) => {
  const many = Array.from({ length: 6 }, (_, i) => `  kill-${i}:\n    image: busybox\n    state: stopped\n`).join('');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx.image, THREE + many) });
  const first = start('lxapply', ctx.args('--auto-approve', '--allow-delete', '--parallelism', '1'));
  const firstDone = finish(first);
  let said = '';
  await Promise.race([
    new Promise<void>((resolve) =>
      first.stdout!.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes('created (')) resolve();
      }),
    ),
    firstDone,
  ]);
  first.kill('SIGKILL');
  const r1 = await firstDone;
  assert.is(r1.code, null, show(r1)); // killed by the signal
  const t0 = Date.now();
  const next = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  const waited = Date.now() - t0;
  assert.is(next.code, 0, show(next));
  assert.match(
    next.stderr,
    new RegExp(
      `Took over the lock of \\S+ from pid ${first.pid} on this host \\(apply by \\S+, since [^;]+; lock ID [0-9a-f]{16}\\): that process is no longer running\\.`,
    ),
    show(next),
  );
  assert.ok(waited < 30_000, `not held up by the 30 s lease (took ${waited} ms)`);
  const after = await run('lxplan', ctx.args());
  assert.match(after.stdout, 'No changes.', show(after));
  assert.not.match(after.stderr, 'Took over', show(after));
});

it.run();
