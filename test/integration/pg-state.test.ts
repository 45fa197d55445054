/**
 * A state kept in PostgreSQL (`--state postgres://...`, src/state/pg-store.ts), against the
 * throwaway cluster scripts/pg-up.sh starts (127.0.0.1:5439; LXPLAN_TEST_PG names another):
 * saved and read back, of several runs locking at once exactly one wins, a holder killed with
 * SIGKILL is taken over at once with a message saying so, force-unlock by lock ID, `lxplan state
 * migrate` file -> pg -> lxd:NAME (on the local daemon) -> file keeping lineage and serial, its
 * refusals, and the errors of an unreachable server, a refused login and a missing database
 * (never showing the password). Every workspace row and daemon project it makes is removed after.
 * When the server does not answer, this suite FAILS: run scripts/pg-up.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { STATE_PROJECT_PREFIX } from '../../src/state/daemon-store.js';
import { StateManager } from '../../src/state/manager.js';
import { withEntry } from '../../src/state/model.js';
import { PgStore } from '../../src/state/pg-store.js';
import { run, show } from './cli.js';
import { PG_URL, pgUrl } from './pg-url.js';

const FAST = { staleMs: 1500, updateMs: 250 };

type Ctx = { db: pg.Client; workspaces: string[]; dir: string; ws(): string };
const it = suite<Ctx>('state kept in PostgreSQL');

it.before(async (ctx) => {
  ctx.db = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  ctx.db.on('error', () => {});
  await ctx.db.connect().catch((e: Error) => {
    throw new Error(`PostgreSQL is needed at ${PG_URL}: run scripts/pg-up.sh (${e.message})`);
  });
  ctx.workspaces = [];
  ctx.ws = () => {
    const w = `it-${randomBytes(4).toString('hex')}`;
    ctx.workspaces.push(w);
    return w;
  };
  ctx.dir = await mkdtemp(path.join(tmpdir(), 'lxplan-pg-'));
  await writeFile(path.join(ctx.dir, 'empty.yaml'), 'profiles: {}\n');
});

it.after(async (ctx) => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of ctx.workspaces) {
    await ctx.db.query('DELETE FROM lxplan.states WHERE name = $1', [w]).catch(() => undefined);
    await ctx.db.query('DELETE FROM lxplan.locks WHERE name = $1', [w]).catch(() => undefined);
    await ctx.db.query('DELETE FROM lxplan_pw.states WHERE name = $1', [w]).catch(() => undefined);
  }
  await ctx.db.end();
  await rm(ctx.dir, { recursive: true, force: true });
});

const entry = (name: string) => ({ kind: 'profile' as const, name, since: '2026-01-01T00:00:00Z' });

const stateModule = pathToFileURL(new URL('../../src/state/pg-store.js', import.meta.url).pathname).href;
const managerModule = pathToFileURL(new URL('../../src/state/manager.js', import.meta.url).pathname).href;

/** A second process holding the lock of `url` through the compiled modules: says "locked", then waits (stdin closed: releases). */
const HOLDER = `
const [storeUrl, managerUrl, url] = process.argv.slice(1);
const { PgStore } = await import(storeUrl);
const { StateManager } = await import(managerUrl);
const m = await StateManager.openStore(new PgStore(url), { operation: 'apply', lock: true });
process.stdout.write('locked ' + m.lockInfo.id + '\\n');
process.stdin.resume();
process.stdin.on('end', async () => { await m.release(); process.exit(0); });
`;

/** Every holder process started: killed after the suite, whatever a failed test left. */
const children: ChildProcess[] = [];

async function holder(url: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER, stateModule, managerModule, url], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  const id = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /locked ([0-9a-f]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before taking the lock: ${out}`)));
  });
  return { child, id };
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

async function lockError(p: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    const got = await p;
    await (got as { release?: () => Promise<void> }).release?.();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error');
}

it('saved in one row per workspace, read back by another manager with lineage and serial; the replaced version kept', async (ctx) => {
  const ws = ctx.ws();
  const a = await StateManager.openStore(new PgStore(pgUrl(ws)), { operation: 'apply', lock: true, lockTimings: FAST });
  assert.is(a.state.serial, 0, 'nothing saved yet');
  await a.update((s) => withEntry(s, 'profile.one', entry('one')));
  await a.update((s) => withEntry(s, 'profile.two', entry('two')));
  const lock = await ctx.db.query<{ info: { id: string; pid: number } }>('SELECT info FROM lxplan.locks WHERE name = $1', [ws]);
  assert.is(lock.rows[0].info.id, a.lockInfo!.id, 'the lock row names the holder');
  await a.release();
  assert.is((await ctx.db.query('SELECT 1 FROM lxplan.locks WHERE name = $1', [ws])).rowCount, 0, 'released: no row');
  const b = await StateManager.openStore(new PgStore(pgUrl(ws)), { operation: 'plan', lock: false });
  assert.equal(Object.keys(b.state.resources).sort(), ['profile.one', 'profile.two']);
  assert.is(b.state.serial, 2);
  assert.is(b.state.lineage, a.state.lineage);
  const row = await ctx.db.query<{ lineage: string; serial: string; previous: string }>('SELECT lineage, serial, previous FROM lxplan.states WHERE name = $1', [
    ws,
  ]);
  assert.is(row.rows[0].lineage, a.state.lineage);
  assert.is(Number(row.rows[0].serial), 2);
  assert.is((JSON.parse(row.rows[0].previous) as { serial: number }).serial, 1);
  const other = await StateManager.openStore(new PgStore(pgUrl(ctx.ws())), { operation: 'plan', lock: false });
  assert.is(other.state.serial, 0, 'another workspace is another state');
});

it('of six runs locking at once exactly one wins; the others name it (with its CI run)', async (ctx) => {
  const ws = ctx.ws();
  const before = process.env.GITHUB_RUN_ID;
  process.env.GITHUB_RUN_ID = '4242';
  try {
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => new PgStore(pgUrl(ws)).lock('apply', FAST)));
    const won = results.filter((r) => r.status === 'fulfilled');
    for (const w of won) await w.value.release();
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { code?: string });
    assert.is(won.length, 1, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'won'))));
    for (const l of lost) {
      assert.is(l.code, 'state.locked', l.message);
      assert.match(l.message, `is locked by pid ${process.pid} on host`);
      assert.match(l.message, 'GitHub Actions run 4242');
      assert.match(l.message, `lock ID ${won[0].value.info.id}`);
    }
  } finally {
    if (before === undefined) delete process.env.GITHUB_RUN_ID;
    else process.env.GITHUB_RUN_ID = before;
  }
});

it('a holder killed with SIGKILL is taken over at once, saying so; the CLI says it too', async (ctx) => {
  const ws = ctx.ws();
  const h = await holder(pgUrl(ws), { CI_JOB_ID: '777' });
  const err = await lockError(new PgStore(pgUrl(ws)).lock('plan', FAST));
  assert.is(err.code, 'state.locked');
  assert.match(err.message, `locked by pid ${h.child.pid} on host`);
  assert.match(err.message, 'GitLab CI job 777');
  h.child.kill('SIGKILL');
  await exited(h.child);
  const notices: string[] = [];
  const lock = await new PgStore(pgUrl(ws), (t) => notices.push(t)).lock('apply', FAST);
  await lock.release();
  assert.is(notices.length, 1, notices.join(''));
  assert.match(notices[0], `The previous holder of the lock of state ${pgUrl(ws)}, pid ${h.child.pid} on host`);
  assert.match(notices[0], `lock ID ${h.id}), is gone (its database session ended); its lock was taken over.`);

  // Through the CLI: a plan of an empty manifest directory on that state, after another kill -9.
  const h2 = await holder(pgUrl(ws));
  h2.child.kill('SIGKILL');
  await exited(h2.child);
  const r = await run('lxplan', [ctx.dir, '--state', pgUrl(ws)]);
  assert.is(r.code, 0, show(r));
  assert.match(r.stderr, `pid ${h2.child.pid} on host`, show(r));
  assert.match(r.stderr, 'is gone (its database session ended); its lock was taken over', show(r));
});

it('force-unlock by lock ID ends the holding session; another ID is refused; a plain unlocked state says so', async (ctx) => {
  const ws = ctx.ws();
  const url = pgUrl(ws).replace('postgres://postgres@', 'postgres://postgres:not-needed-here@');
  const h = await holder(pgUrl(ws));
  const wrong = await run('lxplan', ['force-unlock', '0123456789abcdef', '--state', url]);
  assert.is(wrong.code, 1, show(wrong));
  assert.match(wrong.stderr, `has ID ${h.id}, not 0123456789abcdef: nothing was removed`);
  assert.not.match(wrong.stderr + wrong.stdout, 'not-needed-here', 'the password is never shown');
  assert.is((await lockError(new PgStore(pgUrl(ws)).lock('plan', FAST))).code, 'state.locked', 'still locked');
  const ok = await run('lxplan', ['force-unlock', h.id, '--state', url]);
  assert.is(ok.code, 0, show(ok));
  assert.match(ok.stdout, `Removed the lock of ${url.replace(':not-needed-here@', ':***@')} (pid ${h.child.pid}`);
  assert.not.match(ok.stderr + ok.stdout, 'not-needed-here');
  const notices: string[] = [];
  const lock = await new PgStore(pgUrl(ws), (t) => notices.push(t)).lock('plan', FAST);
  await lock.release();
  assert.equal(notices, [], 'the row went with the lock: nothing to take over');
  h.child.stdin!.end();
  await exited(h.child);
  const none = await run('lxplan', ['force-unlock', h.id, '--state', pgUrl(ws)]);
  assert.is(none.code, 1, show(none));
  assert.match(none.stderr, 'is not locked');
});

it('migrate file -> pg -> lxd:NAME -> file keeps lineage and serial; refuses another lineage or a newer serial, changing nothing', async (ctx) => {
  const lxd = new LxdClient();
  const name = `it-${randomBytes(3).toString('hex')}`;
  try {
    const ws = ctx.ws();
    const src = path.join(ctx.dir, 'src.json');
    const back = path.join(ctx.dir, 'back.json');
    const m = await StateManager.open(src, { operation: 'apply', lock: true });
    for (const n of ['a', 'b', 'c']) await m.update((s) => withEntry(s, `profile.${n}`, entry(n)));
    const { lineage, serial } = m.state;
    await m.release();
    assert.is(serial, 3);
    const migrate = (from: string, to: string) => run('lxplan', ['state', 'migrate', '--from', from, '--to', to]);
    for (const [from, to] of [
      [src, pgUrl(ws)],
      [pgUrl(ws), `lxd:${name}`],
      [`lxd:${name}`, back],
    ]) {
      const r = await migrate(from, to);
      assert.is(r.code, 0, show(r));
      assert.match(r.stdout, `(lineage ${lineage}, serial ${serial})`, show(r));
    }
    const onDaemon = await StateManager.openStore(new (await import('../../src/state/daemon-store.js')).DaemonStore(lxd, name, 'the local daemon'), {
      operation: 'plan',
      lock: false,
    });
    assert.is(onDaemon.state.lineage, lineage);
    assert.is(onDaemon.state.serial, serial);
    const final = JSON.parse(await readFile(back, 'utf8')) as { lineage: string; serial: number; resources: Record<string, unknown> };
    assert.is(final.lineage, lineage);
    assert.is(final.serial, serial);
    assert.equal(Object.keys(final.resources).sort(), ['profile.a', 'profile.b', 'profile.c']);
    const again = await migrate(src, pgUrl(ws));
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, 'already holds this state');

    // Another lineage there: refused.
    const otherWs = ctx.ws();
    const o = await StateManager.openStore(new PgStore(pgUrl(otherWs)), { operation: 'apply', lock: true });
    await o.update((s) => withEntry(s, 'profile.x', entry('x')));
    await o.release();
    const other = await migrate(src, pgUrl(otherWs));
    assert.is(other.code, 1, show(other));
    assert.match(other.stderr, `holds another state (lineage ${o.state.lineage}, serial 1), not a copy of this one (lineage ${lineage})`);
    assert.match(other.stderr, 'nothing was changed');
    const kept = await StateManager.openStore(new PgStore(pgUrl(otherWs)), { operation: 'plan', lock: false });
    assert.is(kept.state.lineage, o.state.lineage, 'unchanged');

    // A newer serial of the same lineage there: refused.
    const p = await StateManager.openStore(new PgStore(pgUrl(ws)), { operation: 'apply', lock: true });
    await p.update((s) => withEntry(s, 'profile.d', entry('d')));
    await p.release();
    const older = await migrate(src, pgUrl(ws));
    assert.is(older.code, 1, show(older));
    assert.match(older.stderr, `holds a newer version of this state (serial ${serial + 1}, the source has ${serial})`);
    const still = await StateManager.openStore(new PgStore(pgUrl(ws)), { operation: 'plan', lock: false });
    assert.is(still.state.serial, serial + 1, 'unchanged');

    // The destination locked by another run: refused, nothing changed.
    const h = await holder(pgUrl(otherWs));
    const locked = await migrate(back, pgUrl(otherWs));
    assert.is(locked.code, 1, show(locked));
    assert.match(locked.stderr, `is locked by pid ${h.child.pid}`);
    h.child.stdin!.end();
    await exited(h.child);
  } finally {
    await lxd.request('DELETE', `/1.0/projects/${STATE_PROJECT_PREFIX}${name}`).catch(() => undefined);
    lxd.close();
  }
});

it('an unreachable server, a refused login and a missing database are state.io errors naming the server, never the password', async (ctx) => {
  const base = new URL(PG_URL);
  const at = (user: string, pass: string, port: string, db: string) => `postgres://${user}:${pass}@${base.hostname}:${port}/${db}`;
  const cases = [
    [at('postgres', 'pw-unreachable', '1', 'x'), `cannot reach PostgreSQL server ${base.hostname}:1`, 'pw-unreachable'],
    [
      at('lxplan_pw', 'wrong-password-xyz', base.port, base.pathname.slice(1)),
      `PostgreSQL server ${base.hostname}:${base.port} refused user "lxplan_pw"`,
      'wrong-password-xyz',
    ],
    [at('postgres', 'pw-nodb', base.port, 'no_such_db'), `database "no_such_db" does not exist on PostgreSQL server ${base.hostname}:${base.port}`, 'pw-nodb'],
  ] as const;
  for (const [url, says, secret] of cases) {
    const r = await run('lxplan', [ctx.dir, '--state', url]);
    assert.is(r.code, 1, show(r));
    assert.match(r.stderr, says, show(r));
    assert.match(r.stderr, ':***@', show(r));
    assert.not.match(r.stderr + r.stdout, secret, show(r));
  }
  const good = await run('lxplan', [
    ctx.dir,
    '--state',
    pgUrl(ctx.ws(), `${at('lxplan_pw', 'lxplan-test-password', base.port, base.pathname.slice(1))}?schema=lxplan_pw`),
  ]);
  assert.is(good.code, 0, `the right password logs in: ${show(good)}`);
});

it.run();
