/**
 * A directory that names its daemon itself: `remote: lab` at the top, `remotes: lab` with the
 * server pinned and the client certificate and key from ${env:} (PEM text, as a CI secret gives
 * them), `backend: {lxd: NAME}`; against the real second LXD (scripts/lxd2-up.sh,
 * https://127.0.0.1:8444), with no CLI config directory at all. Then each way it must fail: a
 * wrong pin (refused before any request, nothing changed), --remote naming another daemon. The
 * client certificate the test lets in is removed from the second daemon's trust store after.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { fingerprintOf } from '../../src/lxd/tls.js';
import { ensureClientIdentity } from '../../src/lxd/trust.js';
import { manifestDir, run, show } from './cli.js';
import { throwawayProject } from './harness.js';

const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const LXD2_URL = 'https://127.0.0.1:8444';

type Ctx = { tmp: string; lxd2: LxdClient; serverCert: string; cert: string; key: string; project: string; state: string };
const it = suite<Ctx>('a directory naming its remote daemon');

it.before(async (ctx) => {
  ctx.tmp = await mkdtemp(path.join(tmpdir(), 'lxplan-mremote-'));
  ctx.lxd2 = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  try {
    await ctx.lxd2.request('GET', '/1.0');
    ctx.serverCert = await readFile(path.join(LXD2_DIR, 'server.crt'), 'utf8');
  } catch (e) {
    throw new Error(`the second LXD (${LXD2_DIR}, https on 127.0.0.1:8444) is needed: run scripts/lxd2-up.sh (${(e as Error).message})`);
  }
  const id = await ensureClientIdentity(path.join(ctx.tmp, 'id'));
  ctx.cert = id.certificate;
  ctx.key = id.key;
  // Trusted as an administrator would (lxc config trust add FILE on the server).
  const der = id.certificate.replace(/-----[^-]+-----|\s/g, '');
  await ctx.lxd2.request('POST', '/1.0/certificates', { body: { type: 'client', name: `lxplan-it-${process.pid}`, certificate: der } });
  ctx.project = `lxplan-test-mremote-${process.pid}`;
  ctx.state = `it-m-${process.pid}`;
  await ctx.lxd2.createProject({
    name: ctx.project,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: { 'features.profiles': 'true' },
  });
});

it.after(async (ctx) => {
  const p = ctx.lxd2.withProject(ctx.project);
  for (const name of ['from-manifest']) await p.request('DELETE', `/1.0/profiles/${name}`).catch(() => undefined);
  await ctx.lxd2.request('DELETE', `/1.0/projects/${ctx.project}`).catch(() => undefined);
  await ctx.lxd2.request('DELETE', `/1.0/projects/lxplan-state-${ctx.state}`).catch(() => undefined);
  if (ctx.cert) await ctx.lxd2.request('DELETE', `/1.0/certificates/${fingerprintOf(ctx.cert)}`).catch(() => undefined);
  ctx.lxd2.close();
  await rm(ctx.tmp, { recursive: true, force: true });
});

/** The manifests, with the pin given. */
function files(ctx: Ctx, fingerprint: string): Record<string, string> {
  return {
    'remote.yaml': [
      'remote: lab',
      'remotes:',
      '  lab:',
      `    url: "${LXD2_URL}"`,
      `    fingerprint: "${fingerprint}"`,
      '    client_certificate: ${env:LAB_CERT}',
      '    client_key: ${env:LAB_KEY}',
      'backend:',
      `  lxd: ${ctx.state}`,
      `project: ${ctx.project}`,
      '',
    ].join('\n'),
    'profiles.yaml': 'profiles:\n  from-manifest:\n    limits: {memory: 192MB}\n',
  };
}

/** No CLI config anywhere: what the manifests and the environment say is all there is. */
function env(ctx: Ctx): NodeJS.ProcessEnv {
  const none = path.join(ctx.tmp, 'none');
  return { LAB_CERT: ctx.cert, LAB_KEY: ctx.key, LXPLAN_CONF: none, LXD_CONF: none, INCUS_CONF: none };
}

it('planned, applied, saved and re-planned on the remote the manifests name, the state on it; no secret in any file or output', async (ctx) => {
  const m = await manifestDir(files(ctx, fingerprintOf(ctx.serverCert)));
  const planFile = path.join(m.dir, 'plan.json');
  try {
    const planned = await run('lxplan', [m.dir, '-o', planFile], env(ctx));
    assert.is(planned.code, 0, show(planned));
    assert.match(planned.stdout, '+ profile from-manifest\n      + config.limits.memory: 192MB');
    const saved = await readFile(planFile, 'utf8');
    assert.is((JSON.parse(saved) as { remote?: string }).remote, 'lab');
    assert.not.match(saved, 'PRIVATE KEY');
    assert.not.match(saved, 'BEGIN CERTIFICATE');
    // The apply job: the saved plan, the manifests' remote, the secrets from the environment again.
    const applied = await run('lxapply', [planFile], env(ctx));
    assert.is(applied.code, 0, show(applied));
    const made = await ctx.lxd2.withProject(ctx.project).request<{ config: Record<string, string> }>('GET', '/1.0/profiles/from-manifest');
    assert.is(made.value.config['limits.memory'], '192MB', "made on the remote, in the manifests' project");
    assert.not.ok(existsSync(path.join(m.dir, 'lxplan.state.json')), 'the state is on the daemon (backend: lxd), not beside the manifests');
    const state = await ctx.lxd2.request<{ config: Record<string, string> }>('GET', `/1.0/projects/lxplan-state-${ctx.state}`);
    assert.ok(state.value.config['user.lxplan.state'], 'the state is kept on the remote');
    const again = await run('lxplan', [m.dir, '--detailed-exitcode'], env(ctx));
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'No changes.');
    for (const out of [planned, applied, again]) assert.not.match(out.stdout + out.stderr, 'PRIVATE KEY');
    // --remote repeating the manifests is fine; naming another daemon is refused, nothing read or locked.
    const other = await run('lxplan', [m.dir, '--remote', 'local'], env(ctx));
    assert.is(other.code, 1, show(other));
    assert.match(other.stderr, '--remote (or LXPLAN_REMOTE) says "local" and the manifests say remote: lab at ');
    const destroyed = await run('lxapply', [m.dir, '--remote', 'lab', '--destroy', '--auto-approve'], env(ctx));
    assert.is(destroyed.code, 0, show(destroyed));
    assert.match(destroyed.stdout, 'Apply complete: 1 deleted');
  } finally {
    await m.cleanup();
  }
});

it('a wrong pin is refused before any request, showing what the server presented; nothing is changed', async (ctx) => {
  const wrong = 'cd'.repeat(32);
  const m = await manifestDir(files(ctx, wrong));
  try {
    const r = await run('lxapply', [m.dir, '--auto-approve'], env(ctx));
    assert.is(r.code, 1, show(r));
    assert.match(
      r.stderr,
      `remote "lab" (${LXD2_URL}) is not the server lxplan knows: the server presented the certificate SHA-256 ${fingerprintOf(ctx.serverCert)}, not the pinned ${wrong}`,
    );
    const profiles = await ctx.lxd2.withProject(ctx.project).request<string[]>('GET', '/1.0/profiles');
    assert.not.ok(
      profiles.value.some((p) => p.endsWith('/from-manifest')),
      'nothing made',
    );
  } finally {
    await m.cleanup();
  }
});

it('a secret variable not set is a manifest error with its position, before anything is asked', async (ctx) => {
  const m = await manifestDir(files(ctx, fingerprintOf(ctx.serverCert)));
  try {
    const r = await run('lxplan', [m.dir], { ...env(ctx), LAB_KEY: undefined });
    assert.is(r.code, 1, show(r));
    assert.match(r.stderr, 'remote.yaml:7:5: remote "lab": client_key uses environment variable LAB_KEY, which is not set');
  } finally {
    await m.cleanup();
  }
});

it('a directory spanning two daemons (local and lab): planned side by side, saved as one plan file, applied on each, each with its own state', async (ctx) => {
  const local = await throwawayProject();
  const remotes = files(ctx, fingerprintOf(ctx.serverCert))['remote.yaml'].split('\nbackend:')[0].replace('remote: lab\n', '');
  const m = await manifestDir({
    'remotes.yaml': `${remotes}\n`,
    'here.yaml': `remote: local\nproject: ${local.name}\nprofiles:\n  span-here: {}\n`,
    'lab.yaml': `remote: lab\nproject: ${ctx.project}\nprofiles:\n  span-lab:\n    limits: {memory: 64MB}\n`,
  });
  const planFile = path.join(m.dir, 'plan.json');
  try {
    const planned = await run('lxplan', [m.dir, '-o', planFile], env(ctx));
    assert.is(planned.code, 0, show(planned));
    assert.is(
      planned.stdout,
      [
        '== remote lab ==',
        '',
        'lxplan will make these changes:',
        '',
        '  + profile span-lab',
        '      + config.limits.memory: 64MB',
        '',
        'Plan: 1 to add, 0 to change, 0 to destroy.',
        '',
        '== remote local ==',
        '',
        'lxplan will make these changes:',
        '',
        '  + profile span-here',
        '',
        'Plan: 1 to add, 0 to change, 0 to destroy.',
        '',
        'On 2 daemons: 2 to add, 0 to change, 0 to destroy.',
        '',
      ].join('\n'),
    );
    const applied = await run('lxapply', [planFile], env(ctx));
    assert.is(applied.code, 0, show(applied));
    assert.match(applied.stdout, '[lab] profile span-lab: created');
    assert.match(applied.stdout, '[local] profile span-here: created');
    assert.match(applied.stdout, 'Apply complete on lab: 1 created in LXD.');
    assert.match(applied.stdout, 'Apply complete on local: 1 created in LXD.');
    await ctx.lxd2.withProject(ctx.project).request('GET', '/1.0/profiles/span-lab');
    await local.client.request('GET', '/1.0/profiles/span-here');
    assert.ok(existsSync(path.join(m.dir, 'lxplan.state.lab.json')) && existsSync(path.join(m.dir, 'lxplan.state.local.json')), 'a state per daemon');
    // --socket names the local daemon's socket; the other daemon is still reached over HTTPS.
    const again = await run('lxplan', [m.dir, '--detailed-exitcode', '--socket', process.env.LXD_SOCKET ?? '/var/lib/lxd/unix.socket'], env(ctx));
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'On 2 daemons: 0 to add, 0 to change, 0 to destroy.');
    // --remote works on one daemon's files only, as a one-daemon directory.
    const one = await run('lxplan', [m.dir, '--remote', 'lab', '--json'], env(ctx));
    assert.is(one.code, 0, show(one));
    assert.is((JSON.parse(one.stdout) as { remote?: string }).remote, 'lab');
    // A file with objects but no remote: is an error here: which daemon it is for would be a guess.
    await m.write({ 'stray.yaml': 'profiles:\n  stray: {}\n' });
    const stray = await run('lxplan', [m.dir], env(ctx));
    assert.is(stray.code, 1, show(stray));
    assert.match(stray.stderr, 'stray.yaml:1:1: this file declares objects but no remote:, and the files of its directory name several daemons (lab, local)');
    await rm(path.join(m.dir, 'stray.yaml'));
    const destroyed = await run('lxapply', [m.dir, '--destroy', '--auto-approve'], env(ctx));
    assert.is(destroyed.code, 0, show(destroyed));
    assert.match(destroyed.stdout, 'Apply complete on lab: 1 deleted');
    assert.match(destroyed.stdout, 'Apply complete on local: 1 deleted');
  } finally {
    await ctx.lxd2
      .withProject(ctx.project)
      .request('DELETE', '/1.0/profiles/span-lab')
      .catch(() => undefined);
    await local.cleanup();
    await m.cleanup();
  }
});

it.run();
