/**
 * A state is bound to the server it was made on (src/state/daemon-binding.ts), against real
 * daemons: a state applied over HTTPS to the second LXD (scripts/lxd2-up.sh) and then used
 * against the local socket is refused, naming both servers, and nothing changes on either
 * daemon nor in the state; a plan saved over HTTPS is refused there too, and still applies over
 * HTTPS; the two-member cluster (scripts/cluster-up.sh) reached through m1, through m2 and
 * through m2's socket is one server. Connections over HTTPS use environment variables only, as
 * a hosted CI runner would. Projects of the same name are made on both daemons, so a wrong run
 * would have somewhere to write; all are deleted afterwards, and the client certificates the
 * test trusted are removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { throwawayProject, type ThrowawayProject } from './harness.js';
import { manifestDir, run, show } from './cli.js';
import { remoteEnv, serverFingerprint, trustedClient, type TrustedClient } from './server-binding-trust.js';

const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const M1_DIR = process.env.CLUSTER_M1_DIR ?? '/var/lib/lxd-m1';
const M2_DIR = process.env.CLUSTER_M2_DIR ?? '/var/lib/lxd-m2';

type Ctx = { tmp: string; lxd2: LxdClient; m1: LxdClient; local: ThrowawayProject; clients: TrustedClient[]; projects: [LxdClient, string][] };
const it = suite<Ctx>('a state bound to its server');

async function remoteProject(ctx: Ctx, admin: LxdClient, name: string): Promise<LxdClient> {
  await admin.createProject({ name, description: 'lxplan integration test: safe to delete when no test runs', config: { 'features.profiles': 'true' } });
  ctx.projects.push([admin, name]);
  return admin.withProject(name);
}

const profileMemory = async (c: LxdClient, name: string) =>
  c.getProfile(name).then(
    (p) => p.value.config['limits.memory'] ?? '(none)',
    () => 'missing',
  );

it.before(async (ctx) => {
  ctx.tmp = await mkdtemp(path.join(tmpdir(), 'lxplan-binding-'));
  ctx.clients = [];
  ctx.projects = [];
  ctx.lxd2 = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  ctx.m1 = new LxdClient({ socketPath: path.join(M1_DIR, 'unix.socket') });
  try {
    await ctx.lxd2.server();
  } catch (e) {
    throw new Error(`the second LXD (${LXD2_DIR}, https on 127.0.0.1:8444) is needed: run scripts/lxd2-up.sh (${(e as Error).message})`);
  }
  try {
    await ctx.m1.listClusterMembers();
  } catch (e) {
    throw new Error(`the two-member cluster (${M1_DIR}) is needed: run scripts/cluster-up.sh (${(e as Error).message})`);
  }
  ctx.local = await throwawayProject();
});

it.after(async (ctx) => {
  for (const [admin, name] of ctx.projects) {
    const c = admin.withProject(name);
    for (const p of await c.listProfiles().catch(() => [])) if (p.name !== 'default') await c.deleteProfile(p.name).catch(() => undefined);
    await admin.deleteProject(name).catch(() => undefined);
  }
  for (const c of ctx.clients) await c.untrust();
  await ctx.local?.cleanup();
  ctx.lxd2.close();
  ctx.m1.close();
  await rm(ctx.tmp, { recursive: true, force: true });
});

it('applied over HTTPS to the second LXD, then used against the local socket: refused naming both, nothing changed; a saved plan too', async (ctx) => {
  const client = await trustedClient(path.join(ctx.tmp, 'lxd2-client'), path.join(LXD2_DIR, 'unix.socket'), `lxplan-it-binding-${process.pid}`);
  ctx.clients.push(client);
  const lxd2Fp = await serverFingerprint(LXD2_DIR);
  const localFp = (await ctx.local.client.server()).environment!.certificate_fingerprint!;
  assert.is.not(localFp, lxd2Fp);
  const project = ctx.local.name; // the same project name on both daemons
  const there = await remoteProject(ctx, ctx.lxd2, project);
  const env = { ...remoteEnv('https://127.0.0.1:8444', lxd2Fp, client, ctx.tmp), LXPLAN_REMOTE_NAME: 'lab' };
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  bound:\n    limits: {memory: 128MB}\n' });
  const state = path.join(m.dir, 'lxplan.state.json');
  try {
    const applied = await run('lxapply', [m.dir, '--project', project, '--auto-approve'], env);
    assert.is(applied.code, 0, show(applied));
    assert.is(await profileMemory(there, 'bound'), '128MB');
    const recorded = (JSON.parse(await readFile(state, 'utf8')) as { daemon?: unknown }).daemon;
    assert.equal(recorded, { fingerprint: lxd2Fp, endpoint: 'remote lab (https://127.0.0.1:8444)' });
    const before = await readFile(state, 'utf8');

    const refusal =
      `state ${state} belongs to another server: it was made on the server with certificate SHA-256 ${lxd2Fp} ` +
      `(reached then at remote lab (https://127.0.0.1:8444)), and this run talks to the server with certificate SHA-256 ${localFp} (at unix socket `;
    // The same directory and state, without the remote: the local socket (LXD_SOCKET of this pass).
    for (const [bin, args] of [
      ['lxplan', [m.dir, '--project', project]],
      ['lxapply', [m.dir, '--project', project, '--auto-approve']],
      ['lxapply', [m.dir, '--project', project, '--auto-approve', '--destroy']],
    ] as const) {
      const r = await run(bin, [...args]);
      assert.is(r.code, 1, show(r));
      assert.match(r.stderr, refusal);
      assert.match(r.stderr, 'use --state with another state for this server, or the right --remote (or LXPLAN_REMOTE_URL)');
      assert.not.match(r.stdout, 'Apply complete');
    }
    assert.is(await readFile(state, 'utf8'), before, 'the state is not touched');
    assert.is(await profileMemory(ctx.local.client, 'bound'), 'missing', 'nothing made on the local daemon');
    assert.is(await profileMemory(there, 'bound'), '128MB', 'nothing changed on the second LXD');

    // A plan saved over HTTPS (env secrets: no remote name in the plan) and applied without them: refused the same way.
    await m.write({ 'lxplan.yaml': 'profiles:\n  bound:\n    limits: {memory: 256MB}\n' });
    const planFile = path.join(m.dir, 'plan.json');
    const saved = await run('lxplan', [m.dir, '--project', project, '-o', planFile], env);
    assert.is(saved.code, 0, show(saved));
    const elsewhere = await run('lxapply', [planFile]);
    assert.is(elsewhere.code, 1, show(elsewhere));
    assert.match(elsewhere.stderr, refusal);
    assert.is(await readFile(state, 'utf8'), before);
    assert.is(await profileMemory(ctx.local.client, 'bound'), 'missing');
    assert.is(await profileMemory(there, 'bound'), '128MB');
    const applies = await run('lxapply', [planFile], env);
    assert.is(applies.code, 0, show(applies));
    assert.is(await profileMemory(there, 'bound'), '256MB', 'the saved plan still applies to its own server');

    const destroyed = await run('lxapply', [m.dir, '--project', project, '--auto-approve', '--destroy'], env);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.is(await profileMemory(there, 'bound'), 'missing');
  } finally {
    await m.cleanup();
  }
});

it('the cluster through m1, through m2 and through m2 socket is one server (its cluster certificate); the second LXD is not', async (ctx) => {
  const client = await trustedClient(path.join(ctx.tmp, 'cluster-client'), path.join(M1_DIR, 'unix.socket'), `lxplan-it-binding-cl-${process.pid}`);
  ctx.clients.push(client);
  const clusterFp = await serverFingerprint(M1_DIR, true);
  assert.is(await serverFingerprint(M2_DIR, true), clusterFp, 'every member holds the one cluster certificate');
  const project = `lxplan-test-bind-${randomBytes(3).toString('hex')}`;
  const cl = await remoteProject(ctx, ctx.m1, project);
  const viaM1 = remoteEnv('https://127.0.0.1:8445', clusterFp, client, ctx.tmp);
  const viaM2 = remoteEnv('https://127.0.0.1:8446', clusterFp, client, ctx.tmp);
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  clustered:\n    limits: {memory: 128MB}\n' });
  const state = path.join(m.dir, 'lxplan.state.json');
  const args = [m.dir, '--project', project];
  try {
    const applied = await run('lxapply', [...args, '--auto-approve'], viaM1);
    assert.is(applied.code, 0, show(applied));
    assert.equal((JSON.parse(await readFile(state, 'utf8')) as { daemon?: unknown }).daemon, {
      fingerprint: clusterFp,
      endpoint: 'remote remote (https://127.0.0.1:8445)',
      clustered: true,
    });
    const again = await run('lxplan', args, viaM2);
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'No changes.');
    await m.write({ 'lxplan.yaml': 'profiles:\n  clustered:\n    limits: {memory: 256MB}\n' });
    const changed = await run('lxapply', [...args, '--auto-approve'], viaM2);
    assert.is(changed.code, 0, show(changed));
    assert.is(await profileMemory(cl, 'clustered'), '256MB');
    const bySocket = await run('lxplan', [...args, '--socket', path.join(M2_DIR, 'unix.socket')]);
    assert.is(bySocket.code, 0, show(bySocket));
    assert.match(bySocket.stdout, 'No changes.');

    // Not a check that accepts anything: the same state against the second LXD is refused.
    const lxd2Fp = await serverFingerprint(LXD2_DIR);
    const other = await run('lxplan', [...args, '--socket', path.join(LXD2_DIR, 'unix.socket')]);
    assert.is(other.code, 1, show(other));
    assert.match(other.stderr, `it was made on the cluster with certificate SHA-256 ${clusterFp} (reached then at remote remote (https://127.0.0.1:8445))`);
    assert.match(other.stderr, `this run talks to the server with certificate SHA-256 ${lxd2Fp}`);

    const destroyed = await run('lxapply', [...args, '--auto-approve', '--destroy'], viaM2);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.is(await profileMemory(cl, 'clustered'), 'missing');
  } finally {
    await m.cleanup();
  }
});

it.run();
