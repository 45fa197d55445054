/**
 * Every example under examples/ does what its comments promise: it applies cleanly, the next plan
 * says "No changes.", and `lxapply --destroy` removes it again, leaving the daemon as it was. And a
 * newcomer's way of trying them, one after another without removing any (each lives in a project
 * of its own), works too, as does `npm run example` (scripts/example.sh) itself.
 *
 * The examples declare fixed names for global objects (projects, pools, server keys), which may be
 * a user's own on the machine's daemon: so this suite runs them on a throwaway daemon of its own
 * (throwaway-daemon.ts), compared object by object before each example and after its destroy.
 * Bridges are the host kernel's even there: each copy gets its bridges renamed to unique names on
 * unique subnets. Each example runs from a copy (state files stay out of the repository), after
 * its prepare.sh (image tarballs ...), as its README tells a user to.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LxdClient } from '../../src/lxd/client.js';
import { loadManifests } from '../../src/manifest/index.js';
import { root, run, show } from './cli.js';
import { purgeProject } from './harness.js';
import { teardownDaemonDir, throwawayDaemon, type ThrowawayDaemon } from './throwaway-daemon.js';

/** Folders of examples/ that are not manifest directories. */
const NOT_MANIFESTS = new Set([
  'ci', // a CI workflow file that runs lxplan, not a manifest
  'cluster', // needs an LXD cluster: test/integration/cluster.test.ts applies it on scripts/cluster-up.sh's
]);

const examples = (await readdir(path.join(root, 'examples'), { withFileTypes: true }))
  .filter((e) => e.isDirectory() && !NOT_MANIFESTS.has(e.name))
  .map((e) => e.name)
  .sort();

type Ctx = { daemon: ThrowawayDaemon };
const it = suite<Ctx>('every example applies, converges and is destroyed');

/** What a daemon holds, project by project: compared before an example and after its destroy. */
type Inventory = Record<string, unknown>;
async function inventory(c: LxdClient): Promise<Inventory> {
  const projects = (await c.listProjects()).map((p) => p.name).sort();
  const inv: Inventory = {
    projects,
    networks: (await c.listNetworks())
      .filter((n) => n.managed)
      .map((n) => n.name)
      .sort(),
    networkAcls: (await c.listNetworkAcls()).map((a) => a.name).sort(),
    pools: (await c.listStoragePools()).map((p) => p.name).sort(),
    server: (await c.getServer()).value.config ?? {},
  };
  for (const pool of inv.pools as string[]) inv[`volumes ${pool}`] = (await c.listCustomVolumes(pool)).map((v) => v.name).sort();
  for (const p of projects) {
    const pc = c.withProject(p);
    inv[`instances ${p}`] = (await pc.listInstances()).map((i) => i.name).sort();
    inv[`images ${p}`] = (await pc.listImages()).map((i) => i.fingerprint).sort();
    inv[`profiles ${p}`] = (await pc.listProfiles()).map((x) => x.name).sort();
  }
  return inv;
}

/**
 * A copy of examples/NAME, prepared (its prepare.sh run), with its bridges renamed to unique
 * names and subnets: interfaces and addresses are the host's, even on a throwaway daemon.
 */
async function exampleCopy(name: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `lxplan-example-${name}-`));
  await cp(path.join(root, 'examples', name), dir, { recursive: true, filter: (src) => !/lxplan\.state\.json/.test(path.basename(src)) });
  if (existsSync(path.join(dir, 'prepare.sh'))) {
    const p = spawnSync('bash', [path.join(dir, 'prepare.sh')], { cwd: dir, env: { ...process.env, LXPLAN_ROOT: root }, encoding: 'utf8' });
    assert.is(p.status, 0, `prepare.sh failed:\n${p.stdout}\n${p.stderr}`);
  }
  const m = await loadManifests(dir);
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f));
  for (const [net, decl] of Object.entries(m.networks)) {
    const s = randomBytes(3);
    const renames: Array<[RegExp, string]> = [[new RegExp(`\\b${net}\\b`, 'g'), `lxpx${s.toString('hex')}`]];
    const subnet = /^(\d+\.\d+\.\d+)\.\d+\/24$/.exec(decl.config?.['ipv4.address'] ?? '')?.[1];
    if (subnet) renames.push([new RegExp(`(?<![\\d.])${subnet.replace(/\./g, '\\.')}\\.`, 'g'), `10.${100 + (s[0] % 50)}.${s[1]}.`]);
    for (const f of files) {
      let text = await readFile(path.join(dir, f), 'utf8');
      for (const [from, to] of renames) text = text.replace(from, to);
      await writeFile(path.join(dir, f), text);
    }
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * After a failed destroy: removes what the daemon holds beyond `before` (it is a throwaway one),
 * so the next example starts from the same daemon and one failure does not cascade.
 */
async function removeLeftovers(ctx: Ctx, before: Inventory): Promise<void> {
  const c = ctx.daemon.client;
  const now = await inventory(c);
  const extra = (key: string) => (now[key] as string[]).filter((n) => !(before[key] as string[]).includes(n));
  for (const p of extra('projects')) await purgeProject(c, p).catch(() => undefined);
  for (const n of extra('networks')) await c.deleteNetwork(n).catch(() => undefined);
  for (const n of extra('networkAcls')) await c.deleteNetworkAcl(n).catch(() => undefined);
  for (const pool of extra('pools')) {
    for (const v of await c.listCustomVolumes(pool).catch(() => [])) await c.deleteCustomVolume(pool, v.name).catch(() => undefined);
    await c.deleteStoragePool(pool).catch(() => undefined);
  }
}

it.before(async (ctx) => {
  ctx.daemon = await throwawayDaemon();
});

it.after(async (ctx) => {
  await ctx.daemon?.destroy();
});

const lx = (ctx: Ctx, bin: 'lxplan' | 'lxapply', ...args: string[]) => run(bin, [...ctx.daemon.args, ...args], ctx.daemon.env);

async function applyConverge(ctx: Ctx, dir: string): Promise<void> {
  const a = await lx(ctx, 'lxapply', '--auto-approve', dir);
  assert.is(a.code, 0, show(a));
  const p = await lx(ctx, 'lxplan', dir);
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, 'No changes. LXD matches the manifests.\n', show(p));
}

async function destroy(ctx: Ctx, dir: string): Promise<string> {
  const d = await lx(ctx, 'lxapply', '--destroy', '--auto-approve', '--allow-delete', dir);
  assert.is(d.code, 0, show(d));
  return d.stdout;
}

it('the examples folder has the examples the docs name', () => {
  for (const name of [
    'guide',
    'web',
    'images',
    'images-remote',
    'instances',
    'devices',
    'network-acls',
    'network-storage',
    'projects',
    'projects-per-object',
    'server',
  ])
    assert.ok(examples.includes(name), `examples/${name} is missing`);
});

for (const name of examples) {
  it(`examples/${name}`, async (ctx) => {
    const before = await inventory(ctx.daemon.client);
    const copy = await exampleCopy(name);
    let destroyed = false;
    try {
      await applyConverge(ctx, copy.dir);
      const out = await destroy(ctx, copy.dir);
      destroyed = true;
      assert.equal(await inventory(ctx.daemon.client), before, `examples/${name} left nothing behind; lxapply --destroy said:\n${out}`);
    } finally {
      // A failure half-way: remove what it made, so the next example starts from the same daemon.
      if (!destroyed) {
        await lx(ctx, 'lxapply', '--destroy', '--auto-approve', '--allow-delete', copy.dir);
        await removeLeftovers(ctx, before);
      }
      await copy.cleanup();
    }
  });
}

it('every example outside the default project, so a newcomer can try them one after another (web, then guide, ...) and remove each', async (ctx) => {
  // The default project is the one a user's own objects are in: no example writes there.
  const before = await inventory(ctx.daemon.client);
  const copies: Array<{ name: string; dir: string; cleanup(): Promise<void> }> = [];
  let destroyed = false;
  try {
    for (const name of ['web', 'guide', ...examples.filter((e) => e !== 'web' && e !== 'guide')]) {
      const copy = { name, ...(await exampleCopy(name)) };
      copies.push(copy);
      await applyConverge(ctx, copy.dir);
    }
    const now = await inventory(ctx.daemon.client);
    assert.equal([now['instances default'], now['images default'], now['profiles default']], [[], [], ['default']], 'nothing in the default project');
    // Each still converges with the others applied after it; then each is removed alone.
    for (const c of copies) {
      const p = await lx(ctx, 'lxplan', c.dir);
      assert.is(p.stdout, 'No changes. LXD matches the manifests.\n', `${c.name}\n${show(p)}`);
    }
    for (const c of [...copies].reverse()) await destroy(ctx, c.dir);
    destroyed = true;
    assert.equal(await inventory(ctx.daemon.client), before, 'all removed, nothing left');
  } finally {
    if (!destroyed) {
      for (const c of [...copies].reverse()) await lx(ctx, 'lxapply', '--destroy', '--auto-approve', '--allow-delete', c.dir);
      await removeLeftovers(ctx, before);
    }
    for (const c of copies) await c.cleanup();
  }
});

it('npm run example (scripts/example.sh) applies examples/web and starts no second daemon', async (ctx) => {
  // A copy of the checkout's scripts and examples/web (the state file lands there, never in the
  // checkout, where a user's own may be), with lxplan itself linked in.
  const before = await inventory(ctx.daemon.client);
  const copyRoot = await mkdtemp(path.join(tmpdir(), 'lxplan-example-sh-'));
  // Where scripts/lxd2-up.sh would put a second daemon: must stay absent.
  const lxd2 = path.join(copyRoot, 'lxd2');
  try {
    await cp(path.join(root, 'scripts'), path.join(copyRoot, 'scripts'), { recursive: true });
    await cp(path.join(root, 'examples/web'), path.join(copyRoot, 'examples/web'), {
      recursive: true,
      filter: (src) => !/lxplan\.state\.json/.test(path.basename(src)),
    });
    for (const f of ['bin', 'dist', 'node_modules', 'package.json']) await symlink(path.join(root, f), path.join(copyRoot, f));
    const r = spawnSync('bash', [path.join(copyRoot, 'scripts/example.sh')], {
      cwd: copyRoot,
      env: { ...process.env, ...ctx.daemon.env, LXD2_DIR: lxd2, LXD2_ADDRESS: '127.0.0.1:1', LXPLAN_EXAMPLE_NO_BUILD: '1', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /No changes\. LXD matches the manifests\.\n\nTo remove it again/);
    assert.not.ok(existsSync(lxd2), 'no second daemon was started');
    assert.equal((await inventory(ctx.daemon.client))['instances example-web'], ['web-1', 'web-2', 'web-3']);
    await destroy(ctx, path.join(copyRoot, 'examples/web'));
    assert.equal(await inventory(ctx.daemon.client), before);
  } finally {
    // Should a second daemon have been started after all, it goes too.
    if (existsSync(lxd2)) await teardownDaemonDir(lxd2);
    await rm(copyRoot, { recursive: true, force: true });
  }
});

it.run();
