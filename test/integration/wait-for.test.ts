/**
 * wait_for: end to end through the CLI against the real daemon, in a throwaway project. lxapply
 * creates a container on a bridge and waits, before its exec and before the instance copied from
 * it, for an IPv4 address on eth0 and a file; the test gives it both (the busybox image runs no
 * DHCP client: the address is set with `ip addr add`, which LXD's instance state reports the same
 * way) while the apply waits, and checks that nothing depending on the instance was made before.
 * Then: `No changes.`; a condition that is never met fails the change, naming it, and neither its
 * exec nor its snapshot happens; changed conditions are an update that changes nothing in LXD;
 * destroyed, with nothing left behind (the bridge is global: claimed, and deleted by the destroy).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import { finish, manifestDir, run, show, start } from './cli.js';
import { NO_CHANGES, testImage, throwawayProject } from './harness.js';

const exec = promisify(execFile);

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  net: string;
  subnet: string;
};
const it = suite<Ctx>('wait_for: waiting until an instance is usable');

function manifest(ctx: Ctx, o: { late?: string; appWait?: string } = {}): string {
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
networks:
  ${ctx.net}:
    config: {ipv4.address: ${ctx.subnet}.1/24, ipv6.address: none}
instances:
  app:
    image: busybox
    devices:
      eth0: {type: nic, network: ${ctx.net}, name: eth0}
    wait_for:
${
  o.appWait ??
  `      - ipv4: eth0
        timeout: 2m
      - file: /tmp/ready
        timeout: 2m
`
}    execs:
      check:
        command: [sh, -c, "test -e /tmp/ready && ip -4 addr show eth0"]
  copy:
    source: {instance: app}
${o.late ?? ''}`;
}

const LATE = `  late:
    image: busybox
    snapshots: [ready]
    wait_for:
      - command: [test, -e, /nope]
        timeout: 2s
    execs:
      after:
        command: [touch, /root/after]
`;

async function plan(ctx: Ctx): Promise<string> {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  return p.stdout;
}

async function noChanges(ctx: Ctx): Promise<void> {
  assert.is(await plan(ctx), NO_CHANGES);
}

async function exists(ctx: Ctx, name: string): Promise<boolean> {
  return ctx.project.client.getInstance(name).then(
    () => true,
    (e) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );
}

function lxcExec(ctx: Ctx, name: string, script: string) {
  return exec('lxc', ['exec', name, '--project', ctx.project.name, '--', 'sh', '-c', script]);
}

it.before(async (ctx) => {
  const s = randomBytes(3).toString('hex');
  ctx.net = `lxpw${s}`;
  ctx.subnet = `10.${200 + (parseInt(s.slice(0, 2), 16) % 50)}.${parseInt(s.slice(2, 4), 16)}`;
  ctx.project = await throwawayProject();
  await ctx.project.claim('network', ctx.net);
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  const root = new LxdClient();
  try {
    await ctx.project?.cleanup();
    if (ctx.net)
      await root.deleteNetwork(ctx.net).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  } finally {
    root.close();
    await ctx.m?.cleanup();
  }
});

it('the plan says what is waited for', async (ctx) => {
  assert.match(
    await plan(ctx),
    '+ wait_for:             ipv4 on eth0 (timeout 2m), file /tmp/ready (timeout 2m) (waited for once the instance has started, before its execs)\n',
  );
});

it('lxapply waits for the address and the file before the exec and the copy; given both, it finishes', async (ctx) => {
  const child = start('lxapply', ctx.args('--auto-approve'));
  const done = finish(child);
  // Until app runs (a bound, not a timing assertion: creating a busybox container takes well under a second here).
  for (let i = 0; i < 600 && (await ctx.project.client.getInstanceState('app').catch(() => undefined))?.status !== 'Running'; i++) {
    if (child.exitCode !== null) assert.unreachable(`lxapply ended before app ran:\n${show(await done)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is((await ctx.project.client.getInstanceState('app')).status, 'Running');
  // Neither condition is met: nothing that depends on app is made, and lxapply has not finished.
  assert.is(await exists(ctx, 'copy'), false, 'the copy was made before app was ready');
  if (child.exitCode !== null) assert.unreachable(`lxapply ended before app was ready:\n${show(await done)}`);
  await lxcExec(ctx, 'app', `ip link set eth0 up && ip addr add ${ctx.subnet}.5/24 dev eth0`);
  assert.is(await exists(ctx, 'copy'), false, 'the copy was made before /tmp/ready existed');
  await lxcExec(ctx, 'app', 'touch /tmp/ready');
  const r = await done;
  assert.is(r.code, 0, show(r));
  // The exec ran after both: it saw the file and the address.
  assert.match(r.stdout, 'instance app: exec check: exit code 0 after');
  assert.match(r.stdout, `inet ${ctx.subnet}.5/24`);
  assert.ok(r.stdout.indexOf('instance app: created') < r.stdout.indexOf('instance copy: created'), r.stdout);
  assert.is(await exists(ctx, 'copy'), true);
  await noChanges(ctx);
});

it('a condition never met fails the change, naming it; its exec and its snapshot do not happen', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { late: LATE }) });
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 1, show(r));
  assert.match(r.stdout, 'instance late: creating failed after');
  assert.match(r.stdout, 'instance "late" was not ready within 2s: wait_for command test -e /nope (timeout 2s): the last attempt: exit code 1');
  assert.match(r.stdout, 'snapshot late/ready: skipped, because instance late failed');
  await ctx.project.client.pullFile('late', '/root/after').then(
    () => assert.unreachable('the exec ran though the instance was not ready'),
    (e) => assert.ok(isNotFound(e), String(e)),
  );
  // Made, but its exec has not run: the next plan runs it, after waiting again (and fails again: the condition is still not met).
  const p = await plan(ctx);
  assert.match(p, '+ wait_for:    command test -e /nope (timeout 2s) (live; waited for before its execs run)');
  assert.match(p, '+ execs.after: touch /root/after (live; runs: it has not run on this instance yet; timeout 5m)');
  const again = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(again.code, 1, show(again));
  assert.match(again.stdout, 'instance "late" was not ready within 2s');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx) });
  const d = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  await noChanges(ctx);
});

it('changed conditions are an update that changes nothing in LXD, waited for at the next start', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { appWait: '      - delay: 1s\n' }) });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ instance app (live)
      ~ wait_for: ipv4 on eth0 (timeout 2m), file /tmp/ready (timeout 2m) -> a delay of 1s (live; waited for at its next start)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const before = (await ctx.project.client.getInstance('app')).etag;
  const r = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(r.code, 0, show(r));
  assert.is((await ctx.project.client.getInstance('app')).etag, before, 'LXD was written to');
  await noChanges(ctx);
});

it('destroyed, with nothing left behind', async (ctx) => {
  const d = await run('lxapply', ctx.args('--destroy', '--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  assert.equal(await ctx.project.client.listInstances(), []);
  const root = new LxdClient();
  try {
    await root.getNetwork(ctx.net).then(
      () => assert.unreachable('the bridge is still there'),
      (e) => assert.ok(isNotFound(e), String(e)),
    );
  } finally {
    root.close();
  }
});

it.run();
