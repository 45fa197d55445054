/**
 * Two runners on one shared state (issue 13, "Proof"): two processes of the real CLI (lxapply),
 * two working copies of one manifest directory (one profile, whose description each copy sets to
 * its own text every round), one state: on the daemon (lxd:NAME) and in PostgreSQL. In every
 * round both are let go at the same moment; exactly one applies and the other is refused as
 * locked, naming the winner; the profile then says what the winner's copy says and the state's
 * serial went up by one. LXPLAN_RACE_ROUNDS sets the rounds (default 100, for the soak more).
 *
 * Also: a runner killed (SIGKILL) while holding the lock on the daemon is taken over after its
 * lease, with a message saying so.
 *
 * Each runner is started ahead of its round and waits, its modules and the CLI's config loaded,
 * for one line on stdin: both then start from the same point within a millisecond or so, where
 * two plain `lxapply` starts differ by the ~0.5 s node and oclif take to load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { DaemonStore, STATE_PROJECT_PREFIX } from '../../src/state/daemon-store.js';
import { PgStore } from '../../src/state/pg-store.js';
import type { StateStore } from '../../src/state/store.js';
import { BIN, root } from './cli.js';
import { throwawayProject, type ThrowawayProject } from './harness.js';
import { PG_URL, pgUrl } from './pg-url.js';

const ROUNDS = Number(process.env.LXPLAN_RACE_ROUNDS ?? 100);

/** A runner: the CLI loaded, waiting for "go" on stdin, then `lxapply ARGS` as bin/lxapply.js runs it. */
const RUNNER = `
const [binUrl, ...args] = process.argv.slice(1);
const { Config, execute } = await import('@oclif/core');
const config = await Config.load(binUrl);
await import(new URL('../dist/src/cli/commands/apply.js', binUrl).href);
process.stderr.write('ready\\n');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.destroy();
await execute({ dir: binUrl, args: ['apply', ...args], loadOptions: config });
`;

interface Runner {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function runner(args: string[]): Runner {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER, pathToFileURL(BIN.lxapply).href, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.includes('ready\n')) onReady();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      onReady();
      resolve({ code, stdout, stderr: stderr.replace('ready\n', '') });
    });
  });
  return { child, ready, done };
}

type Ctx = { lxd: LxdClient; project: ThrowawayProject; dirs: string[]; cleanups: (() => Promise<unknown>)[] };
const it = suite<Ctx>('two runners on one shared state');

it.before(async (ctx) => {
  ctx.lxd = new LxdClient();
  ctx.project = await throwawayProject();
  ctx.dirs = [await mkdtemp(path.join(tmpdir(), 'lxplan-race-a-')), await mkdtemp(path.join(tmpdir(), 'lxplan-race-b-'))];
  ctx.cleanups = [];
});

it.after(async (ctx) => {
  for (const c of ctx.cleanups) await c().catch(() => undefined);
  await ctx.project.cleanup();
  for (const d of ctx.dirs) await rm(d, { recursive: true, force: true });
  ctx.lxd.close();
});

const manifest = (text: string) => `profiles:\n  racer:\n    description: ${JSON.stringify(text)}\n`;

async function race(ctx: Ctx, spec: string, store: StateStore): Promise<void> {
  const args = (dir: string) => [dir, '--auto-approve', '--state', spec, '--project', ctx.project.name];
  const problems: string[] = [];
  let serial = (await store.read())?.serial ?? 0;
  let apart = 0;
  const started = Date.now();
  let next = ctx.dirs.map((d) => runner(args(d)));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const pair = next;
      const texts = ['A', 'B'].map((who) => `round ${round}${apart ? `.${apart}` : ''} runner ${who}`);
      for (let i = 0; i < 2; i++) await writeFile(path.join(ctx.dirs[i], 'lxplan.yaml'), manifest(texts[i]));
      await Promise.all(pair.map((r) => r.ready));
      for (const r of pair) r.child.stdin!.end('go\n');
      // The next round's runners load while this one runs.
      next = round < ROUNDS ? ctx.dirs.map((d) => runner(args(d))) : [];
      const results = await Promise.all(pair.map((r) => r.done));
      const won = results.flatMap((r, i) => (r.code === 0 && r.stdout.includes('Apply complete') ? [i] : []));
      const lost = results.flatMap((r, i) => (r.code === 1 && /is locked by pid \d+/.test(r.stderr) ? [i] : []));
      const say = () => results.map((r, i) => `runner ${'AB'[i]}: exit ${r.code}\n${r.stdout}${r.stderr}`).join('\n');
      if (won.length === 2) {
        // Both applied one after the other (the second planned from what the first made, the state
        // saved twice): they did not overlap, which says nothing of the lock; that round is run
        // again (at most ROUNDS/10 times). Both planning from the same description would be two
        // holders at once: a failure.
        const serialised = [0, 1].some((i) => results[1 - i].stdout.includes(`description: ${texts[i]} -> ${texts[1 - i]}`));
        const now = (await store.read())?.serial ?? 0;
        if (serialised && now >= serial + 2 && ++apart <= ROUNDS / 10) {
          serial = now;
          round--;
          continue;
        }
      }
      if (won.length !== 1 || lost.length !== 1) {
        problems.push(`round ${round}: ${won.length} applied, ${lost.length} refused as locked\n${say()}`);
        serial = (await store.read())?.serial ?? 0;
        continue;
      }
      const { value: profile } = await ctx.project.client.getProfile('racer');
      if (profile.description !== texts[won[0]])
        problems.push(`round ${round}: the profile says "${profile.description}", the winner's copy "${texts[won[0]]}"`);
      const after = (await store.read())?.serial ?? 0;
      // One save per round once the profile exists (its creation saves twice: made, then read back).
      if (round > 1 ? after !== serial + 1 : after <= serial) problems.push(`round ${round}: the serial went from ${serial} to ${after}`);
      serial = after;
    }
  } finally {
    for (const r of next) r.child.kill('SIGKILL');
  }
  const secs = (Date.now() - started) / 1000;
  process.stderr.write(
    `  ${spec.replace(/:[^@/]*@/, ':***@')}: ${ROUNDS} rounds in ${secs.toFixed(1)} s (${((secs / (ROUNDS + apart)) * 1000).toFixed(0)} ms a round; ${apart} run again: the two did not overlap)\n`,
  );
  assert.equal(problems, [], `${problems.length} of ${ROUNDS} rounds went wrong:\n${problems.slice(0, 5).join('\n\n')}`);
}

it(`on the daemon (lxd:NAME): exactly one of two runners applies, in ${ROUNDS} of ${ROUNDS} rounds`, async (ctx) => {
  const name = `race-${randomBytes(3).toString('hex')}`;
  ctx.cleanups.push(() => ctx.lxd.request('DELETE', `/1.0/projects/${STATE_PROJECT_PREFIX}${name}`));
  try {
    await race(ctx, `lxd:${name}`, new DaemonStore(ctx.lxd, name, 'the local daemon'));
  } finally {
    await ctx.project.client.request('DELETE', '/1.0/profiles/racer').catch(() => undefined);
  }
});

it(`in PostgreSQL: exactly one of two runners applies, in ${ROUNDS} of ${ROUNDS} rounds`, async (ctx) => {
  const ws = `race-${randomBytes(4).toString('hex')}`;
  ctx.cleanups.push(async () => {
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    await db.query('DELETE FROM lxplan.states WHERE name = $1', [ws]);
    await db.end();
  });
  try {
    await race(ctx, pgUrl(ws), new PgStore(pgUrl(ws)));
  } finally {
    await ctx.project.client.request('DELETE', '/1.0/profiles/racer').catch(() => undefined);
  }
});

/** A process holding the lock of lxd:NAME on the local daemon with `timings`, saying "locked ID" once it has it. */
const DAEMON_HOLDER = `
const [storeUrl, clientUrl, name, staleMs, updateMs] = process.argv.slice(1);
const { DaemonStore } = await import(storeUrl);
const { LxdClient } = await import(clientUrl);
const lock = await new DaemonStore(new LxdClient(), name, 'the local daemon').lock('apply', { staleMs: Number(staleMs), updateMs: Number(updateMs) });
process.stdout.write('locked ' + lock.info.id + '\\n');
process.stdin.resume();
`;

it('a runner killed while holding the lock on the daemon is taken over after its lease, saying so', async (ctx) => {
  const name = `kill-${randomBytes(3).toString('hex')}`;
  ctx.cleanups.push(() => ctx.lxd.request('DELETE', `/1.0/projects/${STATE_PROJECT_PREFIX}${name}`));
  const timings = { staleMs: 2000, updateMs: 250 };
  const mod = (p: string) => pathToFileURL(new URL(p, import.meta.url).pathname).href;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', DAEMON_HOLDER, mod('../../src/state/daemon-store.js'), mod('../../src/lxd/client.js'), name, '2000', '250'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const id = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /locked ([0-9a-f]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before taking the lock`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  const notices: string[] = [];
  const store = new DaemonStore(ctx.lxd, name, 'the local daemon', (t) => notices.push(t));
  try {
    await store.lock('plan', timings);
    assert.unreachable('taken while the lease of the killed holder ran');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'state.locked', String(e));
    assert.match((e as Error).message, `locked by pid ${child.pid} on host`);
    assert.match((e as { hint?: string }).hint ?? '', 'once it has not been refreshed for 2 s (its lease)');
  }
  assert.equal(notices, []);
  // The lease runs out 2 s after the holder's last refresh: ask until then (never longer than 10 s).
  let lock;
  for (const until = Date.now() + 10_000; !lock && Date.now() < until;) {
    lock = await store.lock('apply', timings).catch((e: { code?: string }) => {
      if (e.code !== 'state.locked') throw e;
      return new Promise<undefined>((r) => setTimeout(() => r(undefined), 200));
    });
  }
  await lock?.release();
  assert.ok(lock, 'taken over once the lease ran out');
  assert.is(notices.length, 1);
  assert.match(notices[0], `The previous holder of the lock of state lxd:${name}`);
  assert.match(notices[0], `pid ${child.pid} on host`);
  assert.match(notices[0], `lock ID ${id}), is gone: it last refreshed the lock`);
  assert.match(notices[0], 'past its 2 s lease; its lock was taken over.');
});

it.run();
