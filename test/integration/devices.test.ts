/**
 * Devices on a running container, end to end through the CLI against the real LXD daemon: a
 * proxy, a unix-char device, a bridged nic with a bandwidth limit on a managed bridge, and
 * `type: none` masking a profile's device. Each is planned live, applied without a restart, seen
 * in LXD (and in the container, through /proc/PID of its init), planned again as `No changes.`,
 * and removed. The instance lives in a throwaway project; the bridge is global, so it gets a
 * unique name and is deleted in `after`.
 *
 * limits.egress is not applied here: on this machine's kernel LXD's `tc filter ... police` fails
 * ("Failed to load TC action module"), so only limits.ingress (an htb class on the host side of
 * the veth) can be checked on the daemon.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';

const exec = promisify(execFile);

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  net: string;
  subnet: string;
  port: number;
};
const it = suite<Ctx>('devices on a running container, end to end');

/** A TCP port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A plain HTTP/1.0 GET to 127.0.0.1:port: the whole response, or a rejection after 10 s. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const sock = connect(port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    sock.setTimeout(10_000, () => sock.destroy(new Error(`no answer on 127.0.0.1:${port} in 10 s`)));
    sock.on('data', (d) => {
      got += d.toString();
    });
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
  });
}

/** The manifest: a bridge, a profile with a unix-char device, and web-1 using it with `devices` of its own. */
function manifest(ctx: Ctx, devices: string): string {
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
networks:
  ${ctx.net}:
    config: {ipv4.address: ${ctx.subnet}.1/24, ipv6.address: none}
profiles:
  extras:
    devices:
      shared: {type: unix-char, source: /dev/zero, path: /dev/profzero}
instances:
  web-1:
    image: busybox
    profiles: [default, extras]
${devices ? `    devices:\n${devices}` : ''}`;
}

async function plan(ctx: Ctx): Promise<string> {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  return p.stdout;
}

async function apply(ctx: Ctx): Promise<void> {
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
}

async function noChanges(ctx: Ctx): Promise<void> {
  assert.is(await plan(ctx), NO_CHANGES);
}

async function instance(ctx: Ctx) {
  return (await ctx.project.client.getInstance('web-1')).value;
}

/** The pid of web-1's init, asserting it still runs (no restart: the same pid as `before`, when given). */
async function initPid(ctx: Ctx, before?: number): Promise<number> {
  const s = await ctx.project.client.getInstanceState('web-1');
  assert.is(s.status, 'Running');
  if (before !== undefined) assert.is(s.pid, before, 'the container was not restarted');
  return s.pid;
}

it.before(async (ctx) => {
  const s = randomBytes(3).toString('hex');
  ctx.net = `lxpd${s}`;
  ctx.subnet = `10.${150 + (parseInt(s.slice(0, 2), 16) % 50)}.${parseInt(s.slice(2, 4), 16)}`;
  ctx.project = await throwawayProject();
  // The bridge is global: claimed before lxplan makes it, so a crashed run's sweep removes it.
  await ctx.project.claim('network', ctx.net);
  ctx.image = await testImage();
  ctx.port = await freePort();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx, '') });
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

it('the base: a running container with a profile device, then No changes.', async (ctx) => {
  await apply(ctx);
  const pid = await initPid(ctx);
  assert.ok(existsSync(`/proc/${pid}/root/dev/profzero`), 'the profile device is in the container');
  await noChanges(ctx);
});

it('a proxy device is added live and forwards a host port to a port inside', async (ctx) => {
  const pid = await initPid(ctx);
  // Something to connect to inside: busybox httpd on 127.0.0.1:8000 of the container (its init leaves lo down).
  await exec('lxc', [
    'exec',
    'web-1',
    '--project',
    ctx.project.name,
    '--',
    'sh',
    '-c',
    'busybox ip link set lo up && echo hello-from-web-1 > /tmp/index.html && busybox httpd -p 127.0.0.1:8000 -h /tmp',
  ]);
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, `      http: {type: proxy, listen: "tcp:127.0.0.1:${ctx.port}", connect: "tcp:127.0.0.1:8000"}\n`) });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      + devices.http.connect: tcp:127.0.0.1:8000 (live)
      + devices.http.listen:  tcp:127.0.0.1:${ctx.port} (live)
      + devices.http.type:    proxy (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  await initPid(ctx, pid);
  assert.equal((await instance(ctx)).devices.http, { type: 'proxy', listen: `tcp:127.0.0.1:${ctx.port}`, connect: 'tcp:127.0.0.1:8000' });
  assert.match(await httpGet(ctx.port, '/index.html'), /\r\n\r\nhello-from-web-1\n$/);
  await noChanges(ctx);
});

it('a unix-char device appears in the running container; a bridged nic with limits.ingress gets its htb class', async (ctx) => {
  const pid = await initPid(ctx);
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx,
      `      http: {type: proxy, listen: "tcp:127.0.0.1:${ctx.port}", connect: "tcp:127.0.0.1:8000"}
      mynull: {type: unix-char, source: /dev/null, path: /dev/mynull}
      eth1: {type: nic, network: ${ctx.net}, name: eth1, limits.ingress: 10Mbit}
`,
    ),
  });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      + devices.eth1.limits.ingress: 10Mbit (live)
      + devices.eth1.name:           eth1 (live)
      + devices.eth1.network:        ${ctx.net} (live)
      + devices.eth1.type:           nic (live)
      + devices.mynull.path:         /dev/mynull (live)
      + devices.mynull.source:       /dev/null (live)
      + devices.mynull.type:         unix-char (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  await initPid(ctx, pid);
  const inst = await instance(ctx);
  assert.equal(inst.devices.mynull, { type: 'unix-char', source: '/dev/null', path: '/dev/mynull' });
  assert.equal(inst.devices.eth1, { type: 'nic', network: ctx.net, name: 'eth1', 'limits.ingress': '10Mbit' });
  assert.ok(existsSync(`/proc/${pid}/root/dev/mynull`), '/dev/mynull is in the container');
  assert.match(await readFile(`/proc/${pid}/net/dev`, 'utf8'), /\beth1:/);
  const veth = inst.config['volatile.eth1.host_name'];
  assert.ok(veth, 'LXD recorded the host side of the nic');
  const { stdout } = await exec('tc', ['class', 'show', 'dev', veth]);
  assert.match(stdout, /rate 10Mbit/, stdout);
  await noChanges(ctx);

  // The same rate in other words is no change; a new rate is applied live.
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx,
      `      http: {type: proxy, listen: "tcp:127.0.0.1:${ctx.port}", connect: "tcp:127.0.0.1:8000"}
      mynull: {type: unix-char, source: /dev/null, path: /dev/mynull}
      eth1: {type: nic, network: ${ctx.net}, name: eth1, limits.ingress: 10000kbit}
`,
    ),
  });
  await noChanges(ctx);
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx,
      `      http: {type: proxy, listen: "tcp:127.0.0.1:${ctx.port}", connect: "tcp:127.0.0.1:8000"}
      mynull: {type: unix-char, source: /dev/null, path: /dev/mynull}
      eth1: {type: nic, network: ${ctx.net}, name: eth1, limits.ingress: 20Mbit}
`,
    ),
  });
  assert.match(await plan(ctx), /~ devices\.eth1\.limits\.ingress: 10Mbit -> 20Mbit \(live\)/);
  await apply(ctx);
  await initPid(ctx, pid);
  const after = await exec('tc', ['class', 'show', 'dev', (await instance(ctx)).config['volatile.eth1.host_name']]);
  assert.match(after.stdout, /rate 20Mbit/, after.stdout);
  await noChanges(ctx);
});

it("type: none masks the profile's device: the expanded devices lose it, live", async (ctx) => {
  const pid = await initPid(ctx);
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, `      shared: {type: none}\n`) });
  const p = await plan(ctx);
  // The other devices go, the mask comes: all live.
  assert.ok(p.includes('      + devices.shared.type:         none (live)\n'), p);
  assert.ok(p.includes('      - devices.mynull.type:         unix-char (live)\n'), p);
  assert.ok(p.includes('      - devices.http.type:           proxy (live)\n'), p);
  assert.ok(p.includes('      - devices.eth1.type:           nic (live)\n'), p);
  assert.ok(p.startsWith('lxplan will make these changes:\n\n  ~ instance web-1 (live)\n'), p);
  await apply(ctx);
  await initPid(ctx, pid);
  const inst = await instance(ctx);
  assert.equal(inst.devices, { shared: { type: 'none' } });
  assert.is(inst.expanded_devices?.shared?.type, 'none');
  assert.is(inst.expanded_devices?.shared?.source, undefined);
  assert.not.ok(existsSync(`/proc/${pid}/root/dev/profzero`), 'the profile device left the container');
  assert.not.ok(existsSync(`/proc/${pid}/root/dev/mynull`), 'the removed device left the container');
  await noChanges(ctx);

  // Unmasked again: the profile's device comes back, live.
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, '') });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      - devices.shared.type: none (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  await initPid(ctx, pid);
  assert.equal((await instance(ctx)).devices, {});
  assert.ok(existsSync(`/proc/${pid}/root/dev/profzero`), 'the profile device is back');
  await noChanges(ctx);
});

it('a device LXD 5.0.2 would refuse is refused before anything is sent, at its line', async (ctx) => {
  const before = await instance(ctx);
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, `      eth1: {type: nic, network: ${ctx.net}, limits.priority: 3}\n`) });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 1, show(p));
  assert.match(p.stderr, /lxplan\.yaml:16:46: unknown option "limits\.priority" for a nic \(with network:\) device in LXD 5\.0\.2/);
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 1, show(a));
  assert.equal((await instance(ctx)).devices, before.devices);
});

it('a device that cannot be hot-plugged (an ipvlan nic) with state: stopped: stopped first, then added', async (ctx) => {
  // LXD refuses to add an ipvlan nic to a running container ("Device cannot be added when
  // instance is running"): with state: stopped in the same change, lxapply stops it first.
  const ipvlan = '      ipv: {type: nic, nictype: ipvlan, parent: eth0, ipv4.address: 192.0.2.77}\n';
  await ctx.m.write({
    'lxplan.yaml': manifest(ctx, ipvlan).replace('    profiles: [default, extras]\n', '    profiles: [default, extras]\n    state: stopped\n'),
  });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const inst = await instance(ctx);
  assert.is(inst.status, 'Stopped');
  assert.is(inst.devices.ipv?.nictype, 'ipvlan');
  await noChanges(ctx);
  // Back to running without it.
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, '') });
  const back = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(back.code, 0, show(back));
  assert.is((await instance(ctx)).status, 'Running');
});

it.run();
