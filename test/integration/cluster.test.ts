/**
 * `target:` on a real two-member LXD cluster (scripts/cluster-up.sh: m1 on /var/lib/lxd-m1 and
 * https://127.0.0.1:8445, m2 joined on :8446): instances placed on each member, a file written
 * inside one, that one moved m1 -> m2 by changing its target (stop, move, start), the file read
 * back and its identity (volatile.uuid) kept, `No changes.` after, and a destroy that leaves
 * nothing; through m1's unix socket (--socket) and over HTTPS with the cluster's certificate
 * pinned (`lxplan remote add` with a token). An unknown member is refused before anything changes.
 * Each case works in a throwaway project of the cluster, deleted afterwards.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient, isNotFound } from '../../src/lxd/client.js';
import { fingerprintOf } from '../../src/lxd/tls.js';
import { countingSocket, manifestDir, root, run, show } from './cli.js';

const exec = promisify(execFile);
const M1_DIR = process.env.CLUSTER_M1_DIR ?? '/var/lib/lxd-m1';
const SOCKET = path.join(M1_DIR, 'unix.socket');

type Ctx = { root: LxdClient; projects: string[]; tmp: string; certs: string[]; tokens: string[] };
const it = suite<Ctx>('instances on a two-member cluster');

/** A throwaway project of the cluster: the default project's images (busybox), its own default profile with a root disk. */
async function clusterProject(ctx: Ctx): Promise<{ name: string; client: LxdClient }> {
  const name = `lxplan-test-cl-${randomBytes(3).toString('hex')}`;
  await ctx.root.createProject({
    name,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: { 'features.images': 'false', 'features.profiles': 'true', 'features.storage.volumes': 'false' },
  });
  ctx.projects.push(name);
  const client = ctx.root.withProject(name);
  const { value: p, etag } = await client.getProfile('default');
  await client.updateProfile(
    'default',
    { description: p.description, config: p.config, devices: { root: { type: 'disk', path: '/', pool: 'default' } } },
    etag,
  );
  return { name, client };
}

async function purge(root: LxdClient, name: string): Promise<void> {
  const c = root.withProject(name);
  const gone = (e: unknown) => {
    if (!isNotFound(e)) throw e;
  };
  for (const i of await c.listInstances().catch(() => [])) {
    if (i.status !== 'Stopped') await c.setInstanceState(i.name, { action: 'stop', force: true }).catch(() => undefined);
    await c.deleteInstance(i.name).catch(gone);
  }
  // A project with images and profiles of its own (examples/cluster's), left by a failed run.
  const config: Record<string, string> = (await root.getProject(name).catch(() => undefined))?.value.config ?? {};
  const p = { config };
  if (p.config['features.images'] === 'true') for (const img of await c.listImages().catch(() => [])) await c.deleteImage(img.fingerprint).catch(gone);
  if (p.config['features.profiles'] === 'true')
    for (const x of await c.listProfiles().catch(() => [])) if (x.name !== 'default') await c.deleteProfile(x.name).catch(gone);
  await root.deleteProject(name).catch(gone);
}

/** A request-recording socket in front of `socket` (cli.ts's countingSocket reaches the daemon LXD_SOCKET names). */
async function socketTo(socket: string): Promise<Awaited<ReturnType<typeof countingSocket>>> {
  const before = process.env.LXD_SOCKET;
  process.env.LXD_SOCKET = socket;
  try {
    return await countingSocket();
  } finally {
    if (before === undefined) delete process.env.LXD_SOCKET;
    else process.env.LXD_SOCKET = before;
  }
}

const where = async (c: LxdClient) => Object.fromEntries((await c.listInstances()).map((i) => [i.name, `${i.location} ${i.status}`]));

const manifest = (aTarget: string, bTarget = 'm2') => `instances:
  a:
    image: busybox
    target: ${aTarget}
  b:
    image: busybox
    target: ${bTarget}
`;

it.before(async (ctx) => {
  ctx.projects = [];
  ctx.certs = [];
  ctx.tokens = [];
  ctx.tmp = await mkdtemp(path.join(tmpdir(), 'lxplan-cluster-'));
  ctx.root = new LxdClient({ socketPath: SOCKET });
  try {
    const members = await ctx.root.listClusterMembers();
    assert.equal(members.map((m) => m.server_name).sort(), ['m1', 'm2']);
  } catch (e) {
    throw new Error(`the two-member cluster (${M1_DIR}) is needed: run scripts/cluster-up.sh (${(e as Error).message})`);
  }
});

it.after(async (ctx) => {
  for (const p of ctx.projects) await purge(ctx.root, p);
  for (const fp of ctx.certs) await ctx.root.request('DELETE', `/1.0/certificates/${fp}`).catch(() => undefined);
  for (const t of ctx.tokens)
    await exec('lxc', ['config', 'trust', 'revoke-token', t], { env: { ...process.env, LXD_DIR: M1_DIR, LXD_SOCKET: path.join(M1_DIR, 'unix.socket') } }).catch(
      () => undefined,
    );
  ctx.root.close();
  await rm(ctx.tmp, { recursive: true, force: true });
});

it('through the socket: placed on each member, moved m1 -> m2 with its data and identity, no changes after, destroyed', async (ctx) => {
  const { name: project, client } = await clusterProject(ctx);
  const m = await manifestDir({ 'lxplan.yaml': manifest('m1') });
  const args = [m.dir, '--socket', SOCKET, '--project', project];
  try {
    const planned = await run('lxplan', args);
    assert.is(planned.code, 0, show(planned));
    // On two members: grouped by member, each group's headlines without "on m".
    assert.match(planned.stdout, '  On member m1:\n    + instance a\n');
    assert.match(planned.stdout, '  On member m2:\n    + instance b\n');
    const json = await run('lxplan', [...args, '--json']);
    const changes = (JSON.parse(json.stdout) as { changes: Array<{ name: string; member?: string }> }).changes;
    assert.equal(
      changes.filter((c) => c.member).map((c) => [c.name, c.member]),
      [
        ['a', 'm1'],
        ['b', 'm2'],
      ],
    );
    const applied = await run('lxapply', [...args, '--auto-approve']);
    assert.is(applied.code, 0, show(applied));
    assert.equal(await where(client), { a: 'm1 Running', b: 'm2 Running' });

    // Data inside a, written as a user's program would, and its identity.
    await client.pushFile('a', '/root/data', Buffer.from('kept across the move\n'), { uid: 0, gid: 0, mode: '0644' });
    const uuid = (await client.getInstance('a')).value.config['volatile.uuid'];

    await m.write({ 'lxplan.yaml': manifest('m2') });
    const move = await run('lxplan', args);
    assert.is(move.code, 0, show(move));
    assert.match(move.stdout, '~ instance a (on m2; restart: target)');
    assert.match(move.stdout, '~ target: m1 -> m2 (restart; live migration is not available on this kernel (CRIU): stop, move, start)');
    // Guarded like a restart: refused without --allow-restart, nothing moved.
    const refused = await run('lxapply', [...args, '--auto-approve']);
    assert.is(refused.code === 0, false, show(refused));
    assert.match(refused.stderr, 'instance a (moved from m1 to m2: stop, move, start)');
    assert.equal(await where(client), { a: 'm1 Running', b: 'm2 Running' });

    const moved = await run('lxapply', [...args, '--auto-approve', '--allow-restart']);
    assert.is(moved.code, 0, show(moved));
    assert.equal(await where(client), { a: 'm2 Running', b: 'm2 Running' });
    assert.is((await client.pullFile('a', '/root/data')).content.toString(), 'kept across the move\n');
    assert.is((await client.getInstance('a')).value.config['volatile.uuid'], uuid, 'the same instance, not a new one');

    // Where each instance is comes with the instance list; the members are one request, not one per instance.
    const counting = await socketTo(SOCKET);
    try {
      const again = await run('lxplan', [m.dir, '--socket', counting.path, '--project', project, '--detailed-exitcode']);
      assert.is(again.code, 0, show(again));
      assert.match(again.stdout, 'No changes.');
      assert.ok(
        counting.requests.some((r) => r.startsWith('GET /1.0/instances?')),
        counting.requests.join('\n'),
      );
      assert.is(counting.requests.filter((r) => r.startsWith('GET /1.0/cluster/members')).length, 1, counting.requests.join('\n'));
      assert.is(counting.requests.filter((r) => /^GET \/1\.0\/instances\/[ab]\b/.test(r)).length, 0, counting.requests.join('\n'));
    } finally {
      await counting.close();
    }

    // A group: both members are in @default, so nothing moves.
    await m.write({ 'lxplan.yaml': manifest('"@default"', '"@default"') });
    const group = await run('lxplan', args);
    assert.is(group.code, 0, show(group));
    assert.match(group.stdout, 'No changes.');

    const destroyed = await run('lxapply', [...args, '--destroy', '--auto-approve', '--allow-delete']);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.equal(await where(client), {});
  } finally {
    await m.cleanup();
  }
});

it('an unknown member: refused at plan time, naming the key and the members, nothing made', async (ctx) => {
  const { name: project, client } = await clusterProject(ctx);
  const m = await manifestDir({ 'lxplan.yaml': manifest('m3') });
  try {
    const r = await run('lxapply', [m.dir, '--socket', SOCKET, '--project', project, '--auto-approve']);
    assert.is(r.code === 0, false, show(r));
    assert.match(r.stderr, 'lxplan.yaml:4:5');
    assert.match(r.stderr, 'target: m3 is not a cluster member of this cluster (members: m1, m2; groups: @default)');
    assert.equal(await where(client), {});
  } finally {
    await m.cleanup();
  }
});

it('over HTTPS with the cluster certificate pinned: placed on m2, no changes after, destroyed', async (ctx) => {
  const { name: project, client } = await clusterProject(ctx);
  const token = `lxplan-it-cluster-${process.pid}`;
  const { stdout } = await exec('lxc', ['config', 'trust', 'add', '--name', token], {
    env: { ...process.env, LXD_DIR: M1_DIR, LXD_SOCKET: path.join(M1_DIR, 'unix.socket') },
  });
  ctx.tokens.push(token);
  const conf = path.join(ctx.tmp, 'conf');
  const env = { LXPLAN_CONF: conf, LXD_CONF: path.join(ctx.tmp, 'none'), INCUS_CONF: path.join(ctx.tmp, 'none') };
  const added = await run('lxplan', ['remote', 'add', 'clu', '--token', stdout.trim().split('\n').pop()!.trim()], env);
  assert.is(added.code, 0, show(added));
  ctx.certs.push(fingerprintOf(await readFile(path.join(conf, 'client.crt'), 'utf8')));
  assert.match(added.stdout, `(server certificate SHA-256 ${fingerprintOf(await readFile(path.join(M1_DIR, 'cluster.crt'), 'utf8'))}, pinned)`);
  const m = await manifestDir({ 'lxplan.yaml': 'instances:\n  c:\n    image: busybox\n    target: m2\n' });
  const args = [m.dir, '--remote', 'clu', '--project', project];
  try {
    const applied = await run('lxapply', [...args, '--auto-approve'], env);
    assert.is(applied.code, 0, show(applied));
    assert.match(applied.stdout, '+ instance c (on m2)');
    assert.equal(await where(client), { c: 'm2 Running' });
    const again = await run('lxplan', args, env);
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'No changes.');
    const destroyed = await run('lxapply', [...args, '--destroy', '--auto-approve', '--allow-delete'], env);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.equal(await where(client), {});
  } finally {
    await m.cleanup();
  }
});

it("a storage pool with each member's own source: made per member then globally, read back per member, no changes after, destroyed", async (ctx) => {
  const { name: project } = await clusterProject(ctx);
  const pool = `lxplan-test-${randomBytes(3).toString('hex')}`;
  const dirs = { m1: path.join(ctx.tmp, `${pool}-m1`), m2: path.join(ctx.tmp, `${pool}-m2`) };
  for (const d of Object.values(dirs)) await mkdir(d);
  const m = await manifestDir({
    'lxplan.yaml': `storage_pools:\n  ${pool}:\n    driver: dir\n    members:\n      m1: {source: ${dirs.m1}}\n      m2: {source: ${dirs.m2}}\n`,
  });
  const args = [m.dir, '--socket', SOCKET, '--project', project];
  try {
    const planned = await run('lxplan', args);
    assert.is(planned.code, 0, show(planned));
    assert.match(planned.stdout, `+ members.m1.source: ${dirs.m1}`);
    const applied = await run('lxapply', [...args, '--auto-approve']);
    assert.is(applied.code, 0, show(applied));
    for (const member of ['m1', 'm2'] as const) assert.is((await ctx.root.getStoragePoolOn(pool, member)).value.config.source, dirs[member]);
    const again = await run('lxplan', args);
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'No changes.');
    const destroyed = await run('lxapply', [...args, '--destroy', '--auto-approve']);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.is(
      (await ctx.root.listStoragePools()).some((p) => p.name === pool),
      false,
    );
  } finally {
    await ctx.root.deleteStoragePool(pool).catch(() => undefined);
    await m.cleanup();
  }
});

it('examples/cluster applies on the cluster as its README says, converges, and is destroyed', async (ctx) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lxplan-example-cluster-'));
  await cp(path.join(root, 'examples/cluster'), dir, { recursive: true, filter: (src) => !/lxplan\.state\.json/.test(path.basename(src)) });
  ctx.projects.push('example-cluster');
  try {
    await exec('bash', [path.join(dir, 'prepare.sh')], { cwd: dir, env: { ...process.env, LXPLAN_ROOT: root } });
    const applied = await run('lxapply', ['--socket', SOCKET, '--auto-approve', dir]);
    assert.is(applied.code, 0, show(applied));
    assert.match(applied.stdout, 'On member m1:\n    + instance web-1\n');
    const c = ctx.root.withProject('example-cluster');
    const placed = await where(c);
    assert.equal([placed['web-1'], placed['web-2']], ['m1 Running', 'm2 Running']);
    assert.match(placed.batch, / Stopped$/);
    const again = await run('lxplan', ['--socket', SOCKET, dir]);
    assert.is(again.stdout, 'No changes. LXD matches the manifests.\n', show(again));
    const destroyed = await run('lxapply', ['--socket', SOCKET, '--destroy', '--auto-approve', '--allow-delete', dir]);
    assert.is(destroyed.code, 0, show(destroyed));
    assert.is(
      (await ctx.root.listProjects()).some((p) => p.name === 'example-cluster'),
      false,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it.run();
