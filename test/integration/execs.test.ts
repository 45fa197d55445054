/**
 * execs: end to end through the CLI against the real daemon, in a throwaway project: a container
 * created with a `created` exec and a `changed:` exec (both run once, their output in the apply
 * log), `No changes.` after; a watched file changed runs only the `changed:` exec; a failing exec
 * fails the apply with its output and exit code, and what depends on the instance (a snapshot)
 * is not made, and the exec runs again at the next apply; a command that never returns is stopped at
 * its timeout, with every process it started; then destroyed, with nothing left behind.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound } from '../../src/lxd/client.js';
import { manifestDir, run, show } from './cli.js';
import { NO_CHANGES, testImage, throwawayProject } from './harness.js';

const exec = promisify(execFile);

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('execs: commands run in an instance');

function manifest(ctx: Ctx, o: { conf?: string; extraExecs?: string; snapshots?: string } = {}): string {
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
instances:
  app:
    image: busybox
${o.snapshots ? `    snapshots: [${o.snapshots}]\n` : ''}    files:
      /etc/app.conf: {content: "${o.conf ?? 'port 8080'}"}
    execs:
      setup:
        command: [sh, -c, "echo setting up; echo ran >> /root/setup.log"]
      reload:
        command: [sh, -c, "cat /etc/app.conf >> /root/reloads.log; echo reloaded >&2"]
        when: {changed: [/etc/app.conf]}
        timeout: 30s
${o.extraExecs ?? ''}`;
}

async function plan(ctx: Ctx): Promise<string> {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  return p.stdout;
}

async function noChanges(ctx: Ctx): Promise<void> {
  assert.is(await plan(ctx), NO_CHANGES);
}

/** A file's text in the container (LXD's file API). */
async function cat(ctx: Ctx, path: string): Promise<string> {
  return (await ctx.project.client.pullFile('app', path)).content.toString('utf8');
}

/** The container's processes, as its own ps shows them. */
async function ps(ctx: Ctx): Promise<string> {
  return (await exec('lxc', ['exec', 'app', '--project', ctx.project.name, '--', 'ps', '-o', 'pid,args'])).stdout;
}

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('a create runs both execs once, after the files are in, and shows their output; then No changes.', async (ctx) => {
  const p = await plan(ctx);
  assert.match(p, '+ execs.setup:              sh -c "echo setting up; echo ran >> /root/setup.log" (runs: the instance is created; timeout 5m)\n');
  assert.match(
    p,
    '+ execs.reload:             sh -c "cat /etc/app.conf >> /root/reloads.log; echo reloaded >&2" (runs: the instance is created; timeout 30s)\n',
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.match(a.stdout, 'instance app: exec setup: exit code 0 after ');
  assert.match(a.stdout, '    stdout:\n      setting up\n');
  assert.match(a.stdout, 'instance app: exec reload: exit code 0 after ');
  assert.match(a.stdout, '    stderr:\n      reloaded\n');
  assert.is(await cat(ctx, '/root/setup.log'), 'ran\n');
  assert.is(await cat(ctx, '/root/reloads.log'), 'port 8080');
  await noChanges(ctx);
});

it('the output logs LXD recorded are deleted once read', async (ctx) => {
  const logs = (await ctx.project.client.request<string[]>('GET', '/1.0/instances/app/logs')).value ?? [];
  assert.equal(
    logs.filter((l) => l.includes('exec_')),
    [],
  );
});

it('a watched file that changes runs the changed: exec again, not the created one', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { conf: 'port 9090' }) });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ instance app (live)
      ~ files./etc/app.conf: port 8080 -> port 9090 (live; pushed into the instance, no restart)
      + execs.reload:        sh -c "cat /etc/app.conf >> /root/reloads.log; echo reloaded >&2" (live; runs because files./etc/app.conf changes; timeout 30s)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is(await cat(ctx, '/root/reloads.log'), 'port 8080port 9090');
  assert.is(await cat(ctx, '/root/setup.log'), 'ran\n');
  await noChanges(ctx);
});

it('a failing exec fails the apply with its output and exit code; what depends on the instance is not made; it runs again next time', async (ctx) => {
  const failing = `      migrate:
        command: [sh, -c, "echo to-stdout; echo to-stderr >&2; exit 7"]
        when: always
`;
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { extraExecs: failing, snapshots: 'after-migrate' }) });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 1, show(a));
  assert.match(a.stdout, 'instance app: updating failed after');
  assert.match(
    a.stdout,
    'exec migrate (sh -c "echo to-stdout; echo to-stderr >&2; exit 7") failed: exit code 7\n    stdout:\n      to-stdout\n    stderr:\n      to-stderr\n',
  );
  assert.match(a.stdout, 'snapshot app/after-migrate: skipped, because instance app failed');
  assert.match(a.stderr, 'exit code 7');
  await ctx.project.client.getSnapshot('app', 'after-migrate').then(
    () => assert.unreachable('the snapshot was taken though the instance it depends on failed'),
    (e) => assert.ok(isNotFound(e), String(e)),
  );
  // Not recorded as run: the next plan runs it again (and still takes the snapshot after it).
  const p = await plan(ctx);
  assert.match(p, '+ execs.migrate: sh -c "echo to-stdout; echo to-stderr >&2; exit 7" (live; runs: it has not run on this instance yet; timeout 5m)\n');
  assert.match(p, '+ snapshot app/after-migrate');
  // Fixed: the exec succeeds, the snapshot is taken after it.
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { extraExecs: failing.replace('exit 7', 'exit 0'), snapshots: 'after-migrate' }) });
  const b = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(b.code, 0, show(b));
  await ctx.project.client.getSnapshot('app', 'after-migrate');
  // An always exec runs at every apply: the plan has it, and only it.
  assert.match(await plan(ctx), 'Plan: 0 to add, 1 to change, 0 to destroy.');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { snapshots: 'after-migrate' }) });
  const c = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(c.code, 0, show(c));
  await noChanges(ctx);
});

it('a command that never returns is stopped at its timeout, with every process it started', async (ctx) => {
  const hang = `      hang:
        command: [sh, -c, "sleep 600 & sleep 601"]
        timeout: 2s
`;
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { extraExecs: hang, snapshots: 'after-migrate' }) });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 1, show(a));
  assert.match(a.stdout, 'exec hang (sh -c "sleep 600 & sleep 601") did not finish within its timeout of 2s: stopped (2 processes killed)', show(a));
  const procs = await ps(ctx);
  assert.not.match(procs, 'sleep 600', procs);
  assert.not.match(procs, 'sleep 601', procs);
  // It did not finish: the next plan runs it again. Removed, nothing is left to do.
  assert.match(await plan(ctx), '+ execs.hang: sh -c "sleep 600 & sleep 601" (live; runs: it has not run on this instance yet; timeout 2s)');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { snapshots: 'after-migrate' }) });
  await noChanges(ctx);
});

it('destroyed, with nothing left behind', async (ctx) => {
  const d = await run('lxapply', ctx.args('--destroy', '--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  assert.equal(await ctx.project.client.listInstances(), []);
  assert.equal(await ctx.project.client.listImages(), []);
});

it.run();
