import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rmdir } from 'node:fs/promises';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_LOCK_TIMINGS,
  forceUnlock,
  lockDirOf,
  lockInfoPathOf,
  processStart,
  readLockInfo,
  StateManager,
  withEntry,
  type LockInfo,
} from '../../src/state/index.js';
import type { State } from '../../src/state/model.js';
import { entry, inTempDir, lxplanError } from './helpers.js';

const stateModule = pathToFileURL(new URL('../../src/state/index.js', import.meta.url).pathname).href;

/** A second process that takes the lock through the compiled module, says "locked", and waits. */
const HOLDER = `
const [moduleUrl, statePath] = process.argv.slice(1);
const { StateManager } = await import(moduleUrl);
const m = await StateManager.open(statePath, { operation: 'apply', lock: true });
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', async () => { await m.release(); process.stdout.write('released\\n'); process.exit(0); });
`;

function spawnHolder(statePath: string): Promise<{ child: ChildProcess; said: (word: string) => Promise<void> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER, stateModule, statePath], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    out += d;
    waiters.splice(0).forEach((w) => w());
  });
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (out.includes(word) ? resolve() : waiters.push(check));
      child.once('exit', (code) => (out.includes(word) ? resolve() : reject(new Error(`holder exited (${code}) before saying ${word}`))));
      check();
    });
  return said('locked').then(() => ({ child, said }));
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

test('lock info names this process', () =>
  inTempDir(async (_dir, p) => {
    const m = await StateManager.open(p, { operation: 'plan', lock: true });
    const info = await readLockInfo(p);
    assert.ok(info);
    assert.equal(info, m.lockInfo);
    assert.is(info.pid, process.pid);
    assert.is(info.host, os.hostname());
    assert.is(info.operation, 'plan');
    assert.match(info.since, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(info.id, /^[0-9a-f]{16}$/);
    await m.release();
    assert.not.ok(existsSync(lockDirOf(p)));
    assert.not.ok(existsSync(lockInfoPathOf(p)));
  }));

test('second open while the first holds the lock fails at once with state.locked; after release it succeeds', () =>
  inTempDir(async (_dir, p) => {
    const first = await StateManager.open(p, { operation: 'apply', lock: true });
    const t0 = Date.now();
    const e = await lxplanError(() => StateManager.open(p, { operation: 'plan', lock: true }));
    assert.ok(Date.now() - t0 < 1000, 'did not fail at once');
    assert.is(e.code, 'state.locked');
    assert.is(
      e.message,
      `state file ${p} is locked by pid ${process.pid} on host ${os.hostname()} (apply by ${first.lockInfo!.user}, since ${first.lockInfo!.since}; lock ID ${first.lockInfo!.id})`,
    );
    assert.match(e.hint ?? '', 'wait for that run to finish');
    // The failed attempt must not have disturbed the holder's lock or info.
    assert.equal(await readLockInfo(p), first.lockInfo);
    // Opening without the lock (e.g. a read-only look) still works.
    const reader = await StateManager.open(p, { operation: 'show', lock: false });
    await reader.release();
    assert.ok(existsSync(lockDirOf(p)));
    await first.release();
    const second = await StateManager.open(p, { operation: 'plan', lock: true });
    assert.is(second.lockInfo!.operation, 'plan');
    await second.release();
  }));

test('the lock held by another process is reported with its pid, host and operation', () =>
  inTempDir(async (_dir, p) => {
    const { child, said } = await spawnHolder(p);
    try {
      const e = await lxplanError(() => StateManager.open(p, { operation: 'plan', lock: true }));
      assert.is(e.code, 'state.locked');
      assert.match(e.message, `state file ${p} is locked by pid ${child.pid} on host ${os.hostname()} (apply by `);
      assert.match(e.message, /, since \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z; lock ID [0-9a-f]+\)$/);
      child.stdin!.end();
      await said('released');
      await exited(child);
      const m = await StateManager.open(p, { operation: 'plan', lock: true });
      await m.release();
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }));

test('a holder on this host whose process is gone (kill -9): its lock is taken over at once, and the run says from whom', () =>
  inTempDir(async (_dir, p) => {
    const { child } = await spawnHolder(p);
    const dead = (await readLockInfo(p))!;
    child.kill('SIGKILL');
    await exited(child);
    const t0 = Date.now();
    const m = await StateManager.open(p, { operation: 'apply', lock: true });
    assert.ok(Date.now() - t0 < DEFAULT_LOCK_TIMINGS.staleMs / 2, 'taken over long before the lease ran out');
    assert.equal(m.lockTakenOver, dead);
    assert.is((await readLockInfo(p))!.pid, process.pid);
    await m.release();
    // A lock of one's own, not taken from anyone, says nothing.
    const again = await StateManager.open(p, { operation: 'plan', lock: true });
    assert.is(again.lockTakenOver, undefined);
    await again.release();
  }));

/** A lock directory with holder information written by hand. */
async function fakeLock(p: string, info: Partial<LockInfo>): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(lockDirOf(p));
  await writeFile(
    lockInfoPathOf(p),
    JSON.stringify({ id: 'feedfacefeedface', host: os.hostname(), user: 'ci', operation: 'apply', since: '2026-01-01T00:00:00Z', ...info }),
  );
}

test('a pid reused by another process (its start time differs) is a holder that is gone: taken over', () =>
  inTempDir(async (_dir, p) => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(processStart(other.pid!), '/proc tells the start time');
      await fakeLock(p, { pid: other.pid!, pidStart: '1' });
      const m = await StateManager.open(p, { operation: 'apply', lock: true });
      assert.is(m.lockTakenOver?.pid, other.pid);
      await m.release();
      // The same pid with its real start time is a live holder: refused, never taken over.
      await fakeLock(p, { pid: other.pid!, pidStart: processStart(other.pid!) });
      const e = await lxplanError(() => StateManager.open(p, { operation: 'apply', lock: true }));
      assert.is(e.code, 'state.locked');
      assert.match(e.message, `locked by pid ${other.pid} on host`);
    } finally {
      other.kill('SIGKILL');
    }
  }));

test("a dead run's leftover info beside a lock a new holder has just made: the new holder's lock is not taken", () =>
  inTempDir(async (_dir, p) => {
    const { child } = await spawnHolder(p);
    child.kill('SIGKILL');
    await exited(child);
    // The dead holder's lock is gone and its info left (killed between the two steps of release);
    // a new holder (this process, say) has made the lock and writes its own info a moment later.
    await rmdir(lockDirOf(p));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(lockDirOf(p));
    const mine = {
      id: '0123456789abcdef',
      pid: process.pid,
      pidStart: processStart(process.pid),
      host: os.hostname(),
      user: 'me',
      operation: 'apply',
      since: '2026-01-01T00:00:00Z',
    };
    const late = new Promise((r) => setTimeout(r, 300)).then(() => writeFile(lockInfoPathOf(p), JSON.stringify(mine)));
    const e = await lxplanError(() => StateManager.open(p, { operation: 'plan', lock: true }));
    await late;
    assert.is(e.code, 'state.locked');
    assert.match(e.message, `locked by pid ${process.pid} on host`);
    assert.ok(existsSync(lockDirOf(p)));
    assert.equal(await readLockInfo(p), mine);
  }));

test("force-unlock: refused for a wrong ID or a live holder; clears a dead holder's lock at once", () =>
  inTempDir(async (_dir, p) => {
    const { child } = await spawnHolder(p);
    const info = (await readLockInfo(p))!;
    const live = await lxplanError(() => forceUnlock(p, info.id));
    assert.is(live.message, `pid ${child.pid} (apply) still runs on this host and holds the lock of ${p}: nothing was removed`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Held from another host: a holder here that is gone would be taken over without asking.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(lockInfoPathOf(p), JSON.stringify({ ...info, host: 'runner-7' }));
    const e = await lxplanError(() => StateManager.open(p, { operation: 'apply', lock: true }));
    assert.match(e.hint ?? '', `if its process died on another host, clear the lock with: lxplan force-unlock ${info.id} --state ${p}`);
    const wrong = await lxplanError(() => forceUnlock(p, 'nope'));
    assert.is(wrong.message, `the lock of ${p} has ID ${info.id}, not nope: nothing was removed`);
    assert.is((await forceUnlock(p, info.id))?.pid, child.pid);
    assert.not.ok(existsSync(lockInfoPathOf(p)));
    assert.not.ok(existsSync(lockDirOf(p)));
    const m = await StateManager.open(p, { operation: 'apply', lock: true });
    await m.release();
  }));

test('a lock without holder information (a run killed while taking it): reported, and cleared with force-unlock none once not refreshed', () =>
  inTempDir(async (_dir, p) => {
    const { mkdir, utimes } = await import('node:fs/promises');
    await mkdir(lockDirOf(p)); // what proper-lockfile's mkdir leaves when the process dies before writing its info
    const fresh = await lxplanError(() => StateManager.open(p, { operation: 'apply', lock: true }));
    assert.is(fresh.message, `state file ${p} is locked by another lxplan run that is just starting (no lock information yet in ${lockInfoPathOf(p)})`);
    const tooSoon = await lxplanError(() => forceUnlock(p, 'none'));
    assert.match(tooSoon.message, 'a run may still hold it; nothing was removed');
    const old = new Date(Date.now() - 20_000);
    await utimes(lockDirOf(p), old, old);
    const stale = await lxplanError(() => StateManager.open(p, { operation: 'apply', lock: true, lockTimings: { staleMs: 60_000, updateMs: 5_000 } }));
    assert.match(stale.message, `state file ${p} is locked, but no run holds it: the lock has no holder information and has not been refreshed for 2`);
    assert.match(stale.hint ?? '', `lxplan force-unlock none --state ${p}`);
    assert.is(await forceUnlock(p, 'none'), undefined);
    const m = await StateManager.open(p, { operation: 'apply', lock: true });
    await m.release();
    assert.not.ok(existsSync(lockInfoPathOf(p)), 'release removes its own info');
  }));

test('a lock lost while held is recorded, not thrown; saving and release still work', () =>
  inTempDir(async (_dir, p) => {
    const m = await StateManager.open(p, { operation: 'apply', lock: true, lockTimings: { staleMs: 2000, updateMs: 1000 } });
    assert.is(m.lockCompromised, undefined);
    await rmdir(lockDirOf(p)); // someone removed the lock directory
    await new Promise((r) => setTimeout(r, 1500)); // the next refresh notices
    assert.instance(m.lockCompromised, Error);
    const s = await m.save(withEntry(m.state, 'profile.a', entry('profile.a')));
    assert.is(s.serial, 1);
    await m.release();
    assert.not.ok(existsSync(lockInfoPathOf(p)));
    assert.ok((JSON.parse(await readFile(p, 'utf8')) as State).resources['profile.a']);
  }));

test.run();
