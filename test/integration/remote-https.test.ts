/**
 * A remote daemon over HTTPS, against the real second LXD (scripts/lxd2-up.sh:
 * https://127.0.0.1:8444): first contact with a trust token (`lxplan remote add`), then requests
 * with lxplan's client certificate and the server pinned; and each way it must fail: a token
 * for another server (nothing sent), an expired token, a used token, a server other than the
 * pinned one, a client the server does not trust. Every client certificate the test lets in is
 * removed from the second daemon's trust store afterwards, and every token it made is revoked.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { findCliRemote } from '../../src/lxd/cli-config.js';
import { HttpsTransport } from '../../src/lxd/https.js';
import { fingerprintOf } from '../../src/lxd/tls.js';
import { ensureClientIdentity } from '../../src/lxd/trust.js';
import { resolveRemote } from '../../src/lxd/connect.js';
import { manifestDir, run, show } from './cli.js';

const exec = promisify(execFile);
const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const LXD2_URL = 'https://127.0.0.1:8444';

type Ctx = { tmp: string; lxd2: LxdClient; serverCert: string; tokens: string[]; conf(name: string): string };
const it = suite<Ctx>('remote daemons over HTTPS');

/** A trust token made on the second daemon, as a person would with `lxc config trust add`. */
async function makeToken(ctx: Ctx, name: string): Promise<string> {
  const { stdout } = await exec('lxc', ['config', 'trust', 'add', '--name', name], {
    env: { ...process.env, LXD_DIR: LXD2_DIR, LXD_SOCKET: path.join(LXD2_DIR, 'unix.socket') },
  });
  ctx.tokens.push(name);
  return stdout.trim().split('\n').pop()!.trim();
}
const reencode = (token: string, change: object) =>
  Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(token, 'base64').toString()), ...change })).toString('base64');

it.before(async (ctx) => {
  ctx.tmp = await mkdtemp(path.join(tmpdir(), 'lxplan-remote-'));
  ctx.tokens = [];
  ctx.conf = (name) => path.join(ctx.tmp, name);
  ctx.lxd2 = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  try {
    await ctx.lxd2.request('GET', '/1.0');
    ctx.serverCert = await readFile(path.join(LXD2_DIR, 'server.crt'), 'utf8');
  } catch (e) {
    throw new Error(`the second LXD (${LXD2_DIR}, https on 127.0.0.1:8444) is needed: run scripts/lxd2-up.sh (${(e as Error).message})`);
  }
});

it.after(async (ctx) => {
  // Everything this test let in, by the certificates it made, and every token it made.
  for (const conf of ['a', 'b', 'c']) {
    try {
      const crt = await readFile(path.join(ctx.conf(conf), 'client.crt'), 'utf8');
      await ctx.lxd2.request('DELETE', `/1.0/certificates/${fingerprintOf(crt)}`).catch(() => undefined);
    } catch {
      /* no certificate made there */
    }
  }
  const { stdout } = await exec('lxc', ['config', 'trust', 'list-tokens', '--format', 'csv'], {
    env: { ...process.env, LXD_DIR: LXD2_DIR, LXD_SOCKET: path.join(LXD2_DIR, 'unix.socket') },
  });
  for (const line of stdout.split('\n')) {
    const name = line.split(',')[0];
    if (name && ctx.tokens.includes(name))
      await exec('lxc', ['config', 'trust', 'revoke-token', name], {
        env: { ...process.env, LXD_DIR: LXD2_DIR, LXD_SOCKET: path.join(LXD2_DIR, 'unix.socket') },
      }).catch(() => undefined);
  }
  ctx.lxd2.close();
  await rm(ctx.tmp, { recursive: true, force: true });
});

it('remote add with a token trusts lxplan, pins the server, and writes the remote in the lxc format', async (ctx) => {
  const token = await makeToken(ctx, `lxplan-it-a-${process.pid}`);
  const r = await run('lxplan', ['remote', 'add', 'lab', '--token', token], { LXPLAN_CONF: ctx.conf('a') });
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, `Trusted by remote "lab" at ${LXD2_URL} (server certificate SHA-256 ${fingerprintOf(ctx.serverCert)}, pinned).`);
  assert.match(r.stderr, `Made a client certificate in ${ctx.conf('a')}.`);
  const remote = findCliRemote('lab', [{ tool: 'lxplan', dir: ctx.conf('a') }])!;
  assert.is(remote.url, LXD2_URL);
  assert.is(fingerprintOf(remote.serverCertificate!), fingerprintOf(ctx.serverCert), "the pinned certificate is the server's");

  // A client over HTTPS with what was written: trusted, and it reads the daemon like the socket does.
  const client = new LxdClient({
    transport: new HttpsTransport({
      name: 'lab',
      url: remote.url,
      pin: { certificate: remote.serverCertificate! },
      clientCertificate: remote.clientCertificate!,
      clientKey: remote.clientKey!,
    }),
  });
  try {
    const server = await client.request<{ auth: string; environment: { server_version: string } }>('GET', '/1.0');
    assert.is(server.value.auth, 'trusted');
    const overSocket = await ctx.lxd2.request<string[]>('GET', '/1.0/images');
    const overHttps = await client.request<string[]>('GET', '/1.0/images');
    assert.equal(overHttps.value, overSocket.value);
  } finally {
    client.close();
  }

  const again = await run('lxplan', ['remote', 'add', 'lab', '--token', token], { LXPLAN_CONF: ctx.conf('a') });
  assert.is(again.code, 0, show(again));
  assert.match(again.stdout, 'Already trusted by remote "lab"');

  const list = await run('lxplan', ['remote', 'list', '--json'], { LXPLAN_CONF: ctx.conf('a'), LXD_CONF: ctx.conf('none'), INCUS_CONF: ctx.conf('none') });
  assert.is(list.code, 0, show(list));
  assert.equal((JSON.parse(list.stdout) as { remotes: unknown }).remotes, [
    { name: 'lab', url: LXD2_URL, fingerprint: fingerprintOf(ctx.serverCert), tool: 'lxplan', dir: ctx.conf('a'), shadowed: false },
  ]);
});

it('plan and apply over HTTPS with --remote: created, then a no-op plan, then destroyed, in a project of the remote', async (ctx) => {
  const project = `lxplan-test-remote-${process.pid}`;
  await ctx.lxd2.createProject({
    name: project,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: { 'features.profiles': 'true' },
  });
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  over-https:\n    limits: {memory: 256MB}\n' });
  const env = { LXPLAN_CONF: ctx.conf('a') };
  try {
    const args = [m.dir, '--remote', 'lab', '--project', project];
    const planned = await run('lxplan', args, env);
    assert.is(planned.code, 0, show(planned));
    assert.match(planned.stdout, '+ profile over-https\n      + config.limits.memory: 256MB');
    const applied = await run('lxapply', [...args, '--auto-approve'], env);
    assert.is(applied.code, 0, show(applied));
    const made = await ctx.lxd2.withProject(project).request<{ config: Record<string, string> }>('GET', '/1.0/profiles/over-https');
    assert.is(made.value.config['limits.memory'], '256MB', 'made on the remote, in its project');
    const again = await run('lxplan', args, env);
    assert.match(again.stdout, 'No changes.');
    const destroyed = await run('lxapply', [...args, '--destroy', '--auto-approve'], env);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.match(destroyed.stdout, 'Apply complete: 1 deleted');
  } finally {
    await ctx.lxd2
      .withProject(project)
      .request('DELETE', '/1.0/profiles/over-https')
      .catch(() => undefined);
    await ctx.lxd2.request('DELETE', `/1.0/projects/${project}`).catch(() => undefined);
    await m.cleanup();
  }
});

it('a saved plan applies to the remote it was made for, and refuses another daemon', async (ctx) => {
  const project = `lxplan-test-remote-sp-${process.pid}`;
  await ctx.lxd2.createProject({
    name: project,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: { 'features.profiles': 'true' },
  });
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  saved-remote: {}\n' });
  const env = { LXPLAN_CONF: ctx.conf('a') };
  const planFile = path.join(m.dir, 'plan.json');
  try {
    const planned = await run('lxplan', [m.dir, '--remote', 'lab', '--project', project, '-o', planFile], env);
    assert.is(planned.code, 0, show(planned));
    assert.is((JSON.parse(await readFile(planFile, 'utf8')) as { remote?: string }).remote, 'lab');
    const elsewhere = await run('lxapply', [planFile, '--remote', 'local'], env);
    assert.is(elsewhere.code, 1, show(elsewhere));
    assert.match(elsewhere.stderr, `saved plan ${planFile} was made for remote "lab", not the local daemon`);
    const applied = await run('lxapply', [planFile], env);
    assert.is(applied.code, 0, show(applied));
    await ctx.lxd2.withProject(project).request('GET', '/1.0/profiles/saved-remote');
  } finally {
    await ctx.lxd2
      .withProject(project)
      .request('DELETE', '/1.0/profiles/saved-remote')
      .catch(() => undefined);
    await ctx.lxd2.request('DELETE', `/1.0/projects/${project}`).catch(() => undefined);
    await m.cleanup();
  }
});

it('two runners with no shared disk share one state kept on the remote (--state lxd:NAME)', async (ctx) => {
  const project = `lxplan-test-remote-st-${process.pid}`;
  const stateName = `it-${process.pid}`;
  await ctx.lxd2.createProject({
    name: project,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: { 'features.profiles': 'true' },
  });
  const manifest = { 'lxplan.yaml': 'profiles:\n  shared-state:\n    limits: {memory: 128MB}\n' };
  const one = await manifestDir(manifest);
  const two = await manifestDir(manifest);
  const env = { LXPLAN_CONF: ctx.conf('a'), LXPLAN_STATE: `lxd:${stateName}` };
  try {
    const applied = await run('lxapply', [one.dir, '--remote', 'lab', '--project', project, '--auto-approve'], env);
    assert.is(applied.code, 0, show(applied));
    assert.not.ok(existsSync(path.join(one.dir, 'lxplan.state.json')), 'no state file on the runner');
    // Another checkout elsewhere: the daemon's state says the profile is managed, so nothing to do.
    const planned = await run('lxplan', [two.dir, '--remote', 'lab', '--project', project, '--detailed-exitcode'], env);
    assert.is(planned.code, 0, show(planned));
    assert.match(planned.stdout, 'No changes.');
    const destroyed = await run('lxapply', [two.dir, '--remote', 'lab', '--project', project, '--destroy', '--auto-approve'], env);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.match(destroyed.stdout, 'Apply complete: 1 deleted');
  } finally {
    await ctx.lxd2
      .withProject(project)
      .request('DELETE', '/1.0/profiles/shared-state')
      .catch(() => undefined);
    await ctx.lxd2.request('DELETE', `/1.0/projects/${project}`).catch(() => undefined);
    await ctx.lxd2.request('DELETE', `/1.0/projects/lxplan-state-${stateName}`).catch(() => undefined);
    await one.cleanup();
    await two.cleanup();
  }
});

it('an unknown remote is a usage error listing the known ones, before anything is read or locked', async (ctx) => {
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  x: {}\n' });
  try {
    const r = await run('lxplan', [m.dir, '--remote', 'lbа'], { LXPLAN_CONF: ctx.conf('a'), LXD_CONF: ctx.conf('none'), INCUS_CONF: ctx.conf('none') });
    assert.is(r.code, 1, show(r));
    assert.match(r.stderr, `no remote named "lbа" in ${ctx.conf('a')}, ${ctx.conf('none')}, ${ctx.conf('none')} (known: lab)`);
    assert.not.ok(existsSync(path.join(m.dir, 'lxplan.state.json.lock')), 'no lock taken');
  } finally {
    await m.cleanup();
  }
});

it('a used token is refused, naming the remote', async (ctx) => {
  const token = await makeToken(ctx, `lxplan-it-b-${process.pid}`);
  const first = await run('lxplan', ['remote', 'add', 'lab', '--token', token], { LXPLAN_CONF: ctx.conf('b') });
  assert.is(first.code, 0, show(first));
  const other = await run('lxplan', ['remote', 'add', 'lab', '--token', token], { LXPLAN_CONF: ctx.conf('c') });
  assert.is(other.code, 1, show(other));
  assert.match(other.stderr, 'remote "lab" refused the trust token');
});

it('a token for another server sends nothing: the token still works afterwards', async (ctx) => {
  const token = await makeToken(ctx, `lxplan-it-d-${process.pid}`);
  const forged = reencode(token, { fingerprint: 'ab'.repeat(32) });
  const r = await run('lxplan', ['remote', 'add', 'lab', '--token', forged], { LXPLAN_CONF: ctx.conf('d') });
  assert.is(r.code, 1, show(r));
  assert.match(
    r.stderr,
    `presented the certificate SHA-256 ${fingerprintOf(ctx.serverCert)}, but the trust token is for ${'ab'.repeat(32)}: not the server that made the token`,
  );
  const { stdout } = await exec('lxc', ['config', 'trust', 'list-tokens', '--format', 'csv'], {
    env: { ...process.env, LXD_DIR: LXD2_DIR, LXD_SOCKET: path.join(LXD2_DIR, 'unix.socket') },
  });
  assert.ok(stdout.includes(`lxplan-it-d-${process.pid},`), 'the token was not spent');
});

it('an expired token is refused before any connection', async (ctx) => {
  const token = reencode(await makeToken(ctx, `lxplan-it-e-${process.pid}`), { expires_at: '2020-01-01T00:00:00Z', addresses: ['127.0.0.1:1'] });
  const r = await run('lxplan', ['remote', 'add', 'lab', '--token', token], { LXPLAN_CONF: ctx.conf('e') });
  assert.is(r.code, 1, show(r));
  assert.match(r.stderr, 'the trust token for remote "lab" expired at 2020-01-01T00:00:00.000Z');
  assert.not.ok(existsSync(path.join(ctx.conf('e'), 'client.crt')), 'bad input changes nothing: no client certificate made');
});

it('a server other than the pinned one is refused with the fingerprint it showed, before any request', async (ctx) => {
  const id = await ensureClientIdentity(ctx.conf('a'));
  const local = await readFile('/var/lib/lxd/server.crt', 'utf8').catch(() => undefined);
  const wrong = { fingerprint: local && fingerprintOf(local) !== fingerprintOf(ctx.serverCert) ? fingerprintOf(local) : 'cd'.repeat(32) };
  const client = new LxdClient({
    transport: new HttpsTransport({ name: 'lab', url: LXD2_URL, pin: wrong, clientCertificate: id.certificate, clientKey: id.key }),
  });
  try {
    await client.request('GET', '/1.0');
    assert.unreachable('connected to a server that is not the pinned one');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'lxd.certificate');
    assert.match(
      (e as Error).message,
      `remote "lab" (${LXD2_URL}) is not the server lxplan knows: the server presented the certificate SHA-256 ${fingerprintOf(ctx.serverCert)}, not the pinned ${wrong.fingerprint}`,
    );
  } finally {
    client.close();
  }
  // Pinned by fingerprint alone, the right one: accepted.
  const byFp = new LxdClient({
    transport: new HttpsTransport({
      name: 'lab',
      url: LXD2_URL,
      pin: { fingerprint: fingerprintOf(ctx.serverCert) },
      clientCertificate: id.certificate,
      clientKey: id.key,
    }),
  });
  try {
    assert.is((await byFp.request<{ auth: string }>('GET', '/1.0')).value.auth, 'trusted');
  } finally {
    byFp.close();
  }
});

it('a client the server does not trust gets an error naming the remote and the way in', async (ctx) => {
  const stranger = await ensureClientIdentity(ctx.conf('stranger'));
  const client = new LxdClient({
    transport: new HttpsTransport({
      name: 'lab',
      url: LXD2_URL,
      pin: { certificate: ctx.serverCert },
      clientCertificate: stranger.certificate,
      clientKey: stranger.key,
    }),
  });
  try {
    await client.request('GET', '/1.0/instances');
    assert.unreachable('an untrusted client listed instances');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'lxd.untrusted');
    assert.match((e as Error).message, `remote "lab" (${LXD2_URL}) does not trust lxplan's client certificate (GET /1.0/instances: not authorized)`);
    assert.match((e as { hint?: string }).hint ?? '', 'lxplan remote add lab');
  } finally {
    client.close();
  }
});

it('nothing pinned: no connection, and the error shows the fingerprint the server presents', async (ctx) => {
  const id = await ensureClientIdentity(ctx.conf('a'));
  try {
    await resolveRemote({}, { LXPLAN_REMOTE_URL: LXD2_URL, LXPLAN_REMOTE_NAME: 'lab', LXPLAN_CLIENT_CERT: id.certificate, LXPLAN_CLIENT_KEY: id.key }, []);
    assert.unreachable('resolved a remote with nothing pinned');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'lxd.certificate');
    assert.match((e as Error).message, `The server at ${LXD2_URL} presents SHA-256 ${fingerprintOf(ctx.serverCert)}: check it on the server`);
  }
});

it('nothing listening: unreachable, naming the remote', async (ctx) => {
  const id = await ensureClientIdentity(ctx.conf('a'));
  const client = new LxdClient({
    transport: new HttpsTransport({
      name: 'lab',
      url: 'https://127.0.0.1:1',
      pin: { certificate: ctx.serverCert },
      clientCertificate: id.certificate,
      clientKey: id.key,
    }),
  });
  try {
    await client.request('GET', '/1.0');
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'lxd.unreachable');
    assert.match((e as Error).message, 'cannot reach remote "lab" at https://127.0.0.1:1: connection refused');
  } finally {
    client.close();
  }
});

it.run();
