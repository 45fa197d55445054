/**
 * Runs first (file order): removes test projects (with the global objects they claimed) and
 * throwaway daemons that crashed runs left behind, before this run makes its own, without
 * touching a run that is still going elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { TEST_PREFIX, purgeProject, staleReason, sweepStaleTestProjects, throwawayProject } from './harness.js';
import { DAEMON_PREFIX, staleDaemonReason, sweepStaleDaemons, throwawayDaemon } from './throwaway-daemon.js';

const HOUR = 60 * 60 * 1000;
const owner = (pid: number, createdAgo: number, host = hostname()) => ({
  'user.lxplan.test.host': host,
  'user.lxplan.test.pid': String(pid),
  'user.lxplan.test.created': new Date(Date.now() - createdAgo).toISOString(),
});

test('staleReason keeps live runs and young runs of other machines, drops the rest', () => {
  const alive = (pid: number) => pid === 4242;
  assert.is(staleReason(owner(4242, 1000), Date.now(), hostname(), alive), undefined);
  assert.is(staleReason(owner(process.pid, 1000)), undefined);
  assert.match(staleReason(owner(4243, 1000), Date.now(), hostname(), alive) ?? '', /process 4243 is gone/);
  assert.match(staleReason(owner(4242, 2 * HOUR), Date.now(), hostname(), alive) ?? '', /older than an hour/);
  assert.is(
    staleReason(owner(1, 1000, 'elsewhere'), Date.now(), hostname(), () => false),
    undefined,
  );
  assert.match(staleReason({}) ?? '', /no owner/);
});

test('sweep removes a leftover of a dead run with its contents, and keeps a live run', async () => {
  const root = new LxdClient();
  const live = await throwawayProject();
  // A pid that surely ended: a child that already exited.
  const deadPid = spawnSync('true').pid;
  const leftover = `${TEST_PREFIX}-sweep-${randomBytes(2).toString('hex')}`;
  try {
    await root.createProject({ name: leftover, config: { 'features.profiles': 'true', 'features.images': 'true', ...owner(deadPid, 1000) } });
    await root.withProject(leftover).createProfile({ name: 'left-behind' });

    const swept = await sweepStaleTestProjects();
    assert.ok(swept.includes(leftover), `swept ${swept.join(', ')}`);
    assert.not.ok(swept.includes(live.name));
    const names = (await root.listProjects()).map((p) => p.name);
    assert.not.ok(names.includes(leftover));
    assert.ok(names.includes(live.name));
  } finally {
    await purgeProject(root, leftover);
    await live.cleanup();
    root.close();
  }
});

test('sweep removes the global objects a dead run claimed (networks, pools), with its project', async () => {
  const root = new LxdClient();
  const deadPid = spawnSync('true').pid;
  const s = randomBytes(3).toString('hex');
  const leftover = `${TEST_PREFIX}-sweep-${s}`;
  const net = `lxpsw${s}`;
  const pool = `${TEST_PREFIX}-sweep-${s}`;
  const source = await mkdtemp(path.join(tmpdir(), 'lxplan-sweep-pool-'));
  try {
    await chmod(source, 0o711);
    // A run that died between claiming and creating leaves a claim of an object that never existed: fine.
    await root.createProject({
      name: leftover,
      config: {
        'features.profiles': 'true',
        ...owner(deadPid, 1000),
        'user.lxplan.test.globals': `network:${net},storage_pool:${pool},network:${net}x,storage_pool:${pool}-never,project:${leftover}-never`,
      },
    });
    await root.createNetwork({ name: net, type: 'bridge', config: { 'ipv4.address': 'none', 'ipv6.address': 'none' } });
    await root.createStoragePool({ name: pool, driver: 'dir', config: { source } });
    await root.createCustomVolume(pool, { name: 'data', content_type: 'filesystem', config: {} });

    assert.ok((await sweepStaleTestProjects()).includes(leftover));
    assert.not.ok(
      (await root.listNetworks()).some((n) => n.name === net),
      'the claimed network is gone',
    );
    assert.not.ok(
      (await root.listStoragePools()).some((p) => p.name === pool),
      'the claimed pool (and its volume) is gone',
    );
  } finally {
    await purgeProject(root, leftover);
    await root.deleteNetwork(net).catch(() => undefined);
    await root.deleteCustomVolume(pool, 'data').catch(() => undefined);
    await root.deleteStoragePool(pool).catch(() => undefined);
    await rm(source, { recursive: true, force: true });
    root.close();
  }
});

test("a claim of a global object that exists already is refused (cleanup would delete someone else's object)", async () => {
  const p = await throwawayProject();
  const root = new LxdClient();
  // Someone else's objects (made here, so a regression can only hurt these): a bridge and a project.
  const s = randomBytes(3).toString('hex');
  const net = `lxpcl${s}`;
  const other = `${TEST_PREFIX}-other-${s}`;
  try {
    await root.createNetwork({ name: net, type: 'bridge', config: { 'ipv4.address': 'none', 'ipv6.address': 'none' } });
    await root.createProject({ name: other, config: { ...owner(process.pid, 0) } });
    await root.withProject(other).createProfile({ name: 'theirs' });
    for (const [kind, name] of [
      ['network', net],
      ['project', other],
    ] as const) {
      let refused: unknown;
      await p.claim(kind, name).catch((e) => {
        refused = e;
      });
      assert.match(String(refused), `"${name}" exists already in LXD`);
    }
    assert.is((await root.getProject(p.name)).value.config['user.lxplan.test.globals'], undefined, 'nothing was recorded');
    const free = `lxpcm${s}`;
    await p.claim('network', free);
    assert.is((await root.getProject(p.name)).value.config['user.lxplan.test.globals'], `network:${free}`);
    await p.cleanup();
    assert.ok((await root.getNetwork(net)).value, 'their network is still there after our cleanup');
    assert.ok((await root.withProject(other).getProfile('theirs')).value, 'their project is still there after our cleanup');
  } finally {
    await p.cleanup();
    await purgeProject(root, other);
    await root.deleteNetwork(net).catch(() => undefined);
    root.close();
  }
});

test("purging a project without features.profiles/images/storage.volumes leaves the default project's objects alone (on a throwaway daemon)", async () => {
  // LXD lists the default project's profiles (images, volumes) for such a project: a purge that
  // took them for the project's own would empty the user's default project. So: a daemon of its own.
  const d = await throwawayDaemon();
  try {
    const c = d.client;
    await c.createProfile({ name: 'users-own' });
    await c.createCustomVolume('default', { name: 'users-vol', content_type: 'filesystem', config: {} });
    const p = `${TEST_PREFIX}-nofeat-${randomBytes(2).toString('hex')}`;
    await c.createProject({ name: p, config: { 'features.images': 'false', 'features.profiles': 'false', 'features.storage.volumes': 'false' } });
    assert.ok(
      (await c.withProject(p).listProfiles()).some((x) => x.name === 'users-own'),
      "LXD lists the default project's profiles there",
    );
    await purgeProject(c, p);
    assert.not.ok(
      (await c.listProjects()).some((x) => x.name === p),
      'the project is gone',
    );
    assert.ok(
      (await c.listProfiles()).some((x) => x.name === 'users-own'),
      "the default project's profile stays",
    );
    assert.ok(
      (await c.listCustomVolumes('default')).some((v) => v.name === 'users-vol'),
      "the default project's volume stays",
    );
    let refused: unknown;
    await purgeProject(c, 'default').catch((e) => {
      refused = e;
    });
    assert.match(String(refused), 'never the default project');
  } finally {
    await d.destroy();
  }
});

test('the throwaway daemons of dead runs are torn down (throwaway-daemon.ts)', async () => {
  const swept = await sweepStaleDaemons();
  if (swept.length) console.log(`    swept ${swept.length} throwaway daemon(s) of dead runs`);
  const left = readdirSync(tmpdir())
    .filter((e) => e.startsWith(DAEMON_PREFIX))
    .filter((e) => {
      try {
        return (
          staleDaemonReason(JSON.parse(readFileSync(path.join(tmpdir(), e, 'owner.json'), 'utf8')) as Parameters<typeof staleDaemonReason>[0]) !== undefined
        );
      } catch {
        return false; // no owner.json yet: one being made right now (the sweep goes by age then)
      }
    });
  assert.equal(left, []);
});

test('cleanup of a throwaway project removes its contents and the project, and may run twice', async () => {
  const p = await throwawayProject();
  await p.client.createProfile({ name: 'extra' });
  assert.is((await p.client.getProfile('default')).value.devices.root?.pool, 'default');
  await p.cleanup();
  await p.cleanup();
  const root = new LxdClient();
  try {
    assert.not.ok((await root.listProjects()).some((x) => x.name === p.name));
    await purgeProject(root, p.name); // already gone: fine
  } finally {
    root.close();
  }
});

test('no leftover test projects remain before this run starts', async () => {
  const root = new LxdClient();
  try {
    const left = (await root.listProjects()).filter((p) => p.name.startsWith(`${TEST_PREFIX}-`) && staleReason(p.config ?? {}) !== undefined);
    assert.equal(
      left.map((p) => p.name),
      [],
    );
  } finally {
    root.close();
  }
});

test.run();
