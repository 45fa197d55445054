/**
 * The state lock: proper-lockfile's `<path>.lock/` directory (mkdir is atomic, its mtime is
 * refreshed while held, and a lock not refreshed for `staleMs` is taken over, so a crashed run
 * never blocks the next one for long) plus `<path>.lock-info.json` saying who holds it.
 *
 * The info is a sibling rather than a file inside the lock directory because proper-lockfile
 * removes the directory with rmdir: a file inside would make release and stale take-over fail.
 *
 * A holder on this host whose process is gone (its pid no longer runs, or runs a process started
 * at another time: the pid was reused) is taken over at once, and the new holder says so
 * (`takenOver`): waiting out the 30 s lease after a kill -9 turned one crashed CI job into two.
 * Two runs taking over the same dead lock are serialised by a second lock (`<path>.takeover`),
 * and only a lock refreshed well within the lease is taken over this way: an older one is
 * proper-lockfile's to take over as stale, so the two ways never race on one directory.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { LxplanError } from '../errors.js';
import { ciRunId } from './holder.js';

export interface LockInfo {
  /** Random, to tell two holders apart even with a reused pid. */
  id: string;
  pid: number;
  host: string;
  user: string;
  /** What the holder is doing: "plan", "apply", ... */
  operation: string;
  /** When it took the lock (ISO 8601, seconds). */
  since: string;
  /** When the holder's process started (Linux: /proc/PID/stat's start time, in clock ticks since boot): tells a reused pid from the holder. */
  pidStart?: string;
  /** The CI run the holder belongs to, when its environment names one (holder.ts ciRunId). */
  run?: string;
}

export interface LockTimings {
  /** A lock not refreshed for this long is taken over. Every process must use the same value. */
  staleMs: number;
  /** How often the holder refreshes it (at most staleMs / 2). */
  updateMs: number;
}

/** 30 s stale, refreshed every 5 s: a stuck event loop must stall 25 s before the lock is lost. */
export const DEFAULT_LOCK_TIMINGS: LockTimings = { staleMs: 30_000, updateMs: 5_000 };

export function lockDirOf(path: string): string {
  return `${path}.lock`;
}

export function lockInfoPathOf(path: string): string {
  return `${path}.lock-info.json`;
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still says who.
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** When process `pid` started (clock ticks since boot, from /proc/PID/stat), or undefined where /proc does not say. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." - comm may hold spaces and parentheses: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 of the whole line: starttime
  } catch {
    return undefined;
  }
}

/** The holder's process is gone from this host: not running, or its pid now names a process started at another time. */
export function holderGone(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return false;
  if (!pidAlive(info.pid)) return true;
  const start = info.pidStart === undefined ? undefined : processStart(info.pid);
  return start !== undefined && start !== info.pidStart;
}

/** A held lock. `compromised` is set (never thrown) when proper-lockfile finds the lock lost. */
export class StateLock {
  compromised: Error | undefined;
  /** The lock of a holder whose process was gone, taken over at once by this run (the caller says so). */
  takenOver: LockInfo | undefined;
  private releaseFn: (() => Promise<void>) | undefined;

  private constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {}

  /**
   * Takes the lock on `path` (which need not exist) or fails at once: no retries, because a
   * second lxplan waiting silently behind an apply is worse than one that says who is in the way.
   */
  static async acquire(path: string, operation: string, timings: LockTimings = DEFAULT_LOCK_TIMINGS): Promise<StateLock> {
    const pidStart = processStart(process.pid);
    const run = ciRunId();
    const info: LockInfo = {
      id: randomBytes(8).toString('hex'),
      pid: process.pid,
      host: os.hostname(),
      user: userName(),
      operation,
      since: isoSeconds(new Date()),
      ...(pidStart !== undefined ? { pidStart } : {}),
      ...(run ? { run } : {}),
    };
    const lock = new StateLock(path, info);
    const take = async () => {
      lock.releaseFn = await lockfile.lock(path, {
        realpath: false, // the state file may not exist yet
        retries: 0,
        stale: timings.staleMs,
        update: timings.updateMs,
        // The default throws from a timer, which kills the process mid-apply. Record it instead:
        // the run goes on (saving what it did matters more) and the caller can warn.
        onCompromised: (err) => {
          lock.compromised = err;
        },
      });
    };
    try {
      try {
        await take();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
        const holder = await readLockInfo(path);
        if (!holder || !holderGone(holder)) throw e;
        const dead = await removeIfHolderGone(path, holder, timings);
        // Once more, whatever happened: ELOCKED again means another run holds it now, and is reported.
        await take();
        lock.takenOver = dead;
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ELOCKED') throw await lockedError(path, timings);
      throw new LxplanError('state.io', `cannot lock state file ${path}: ${err.message}`, {
        hint: `lxplan creates ${lockDirOf(path)} next to the state file: the folder must exist and be writable`,
        cause: e,
      });
    }
    try {
      // Write-then-rename, so a reader never sees half an info file.
      const infoPath = lockInfoPathOf(path);
      const tmp = `${infoPath}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(info, null, 2) + '\n');
      await rename(tmp, infoPath);
    } catch (e) {
      await lock.release();
      throw new LxplanError('state.io', `cannot write lock information ${lockInfoPathOf(path)}: ${(e as Error).message}`, { cause: e });
    }
    return lock;
  }

  /** Drops the lock; idempotent. A lock already lost (compromised) is not an error here. */
  async release(): Promise<void> {
    const release = this.releaseFn;
    if (!release) return;
    this.releaseFn = undefined;
    // The lock first, then our info (only if it is still ours: the next holder may have written
    // its own by then). Killed in between, the info outlives the lock, which is harmless: info is
    // only read while the lock is held, and the next holder overwrites it. The other order left a
    // lock without info when killed in between (found by the chaos suite, 1 run in 500).
    await release().catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ERELEASED' && e.code !== 'ENOTACQUIRED' && e.code !== 'ENOENT') throw e;
    });
    if ((await readLockInfo(this.path))?.id === this.info.id) await unlink(lockInfoPathOf(this.path)).catch(() => {});
  }
}

/**
 * Removes the lock of `path` when its holder's process is gone from this host, and returns who
 * that was; undefined (nothing removed) otherwise. Serialised with other runs doing the same by
 * the `<path>.takeover` lock; a lock near its lease is left to proper-lockfile's stale take-over.
 */
async function removeIfHolderGone(path: string, first: LockInfo, timings: LockTimings): Promise<LockInfo | undefined> {
  let releaseTakeover: (() => Promise<void>) | undefined;
  try {
    releaseTakeover = await lockfile.lock(`${path}.takeover`, { realpath: false, retries: { retries: 5, minTimeout: 50, maxTimeout: 200 }, stale: 10_000 });
  } catch {
    return undefined; // another run is taking it over: it will be reported as the holder
  }
  try {
    // The info may be a leftover of a run killed while releasing (the lock goes first, the info
    // after), beside the lock a new holder has just made and not yet described: a lock younger
    // than FRESH_MS is given that long to get its own info before it is judged.
    const age = await lockAgeMs(path);
    if (age < FRESH_MS) await new Promise((r) => setTimeout(r, FRESH_MS - age));
    const info = await readLockInfo(path);
    // Still the same dead holder, and far enough from its lease that no stale take-over can be under way.
    if (!info || info.id !== first.id || !holderGone(info)) return undefined;
    if ((await lockAgeMs(path)) > timings.staleMs - Math.max(timings.updateMs, 1000)) return undefined;
    await unlink(lockInfoPathOf(path)).catch(() => {});
    await rm(lockDirOf(path), { recursive: true, force: true });
    return info;
  } finally {
    await releaseTakeover().catch(() => {});
  }
}

/** A new holder writes its info within milliseconds of taking the lock; this long is ample. */
const FRESH_MS = 1500;

/** How long ago the lock was last refreshed (proper-lockfile keeps its directory's mtime fresh while held). */
async function lockAgeMs(path: string): Promise<number> {
  const st = await stat(lockDirOf(path)).catch(() => undefined);
  return st ? Date.now() - st.mtimeMs : 0;
}

/** Reads who holds the lock; undefined when there is no (readable) info. */
export async function readLockInfo(path: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(lockInfoPathOf(path), 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    return {
      id: String(v.id ?? ''),
      pid: v.pid,
      host: v.host,
      user: String(v.user ?? '?'),
      operation: String(v.operation ?? '?'),
      since: String(v.since ?? '?'),
      ...(typeof v.pidStart === 'string' ? { pidStart: v.pidStart } : {}),
      ...(typeof v.run === 'string' ? { run: v.run } : {}),
    };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder writes its info right after mkdir: give it a moment before saying "unknown". */
async function infoOfHolder(path: string): Promise<LockInfo | undefined> {
  for (let i = 0; i < 10; i++) {
    const info = await readLockInfo(path);
    if (info) return info;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

async function lockedError(path: string, timings: LockTimings): Promise<LxplanError> {
  const info = await infoOfHolder(path);
  const stale = `${Math.round(timings.staleMs / 1000)} s`;
  if (!info) {
    const age = await lockAgeMs(path);
    if (age > 2 * timings.updateMs) {
      return new LxplanError(
        'state.locked',
        `state file ${path} is locked, but no run holds it: the lock has no holder information and has not been refreshed for ${Math.round(age / 1000)} s (a run died while taking it)`,
        {
          hint: `clear it with: lxplan force-unlock none --state ${path} (or wait: it is taken over automatically once not refreshed for ${stale})`,
        },
      );
    }
    return new LxplanError(
      'state.locked',
      `state file ${path} is locked by another lxplan run that is just starting (no lock information yet in ${lockInfoPathOf(path)})`,
      {
        hint: 'try again in a moment',
      },
    );
  }
  const gone = holderGone(info);
  return new LxplanError(
    'state.locked',
    `state file ${path} is locked by pid ${info.pid} on host ${info.host} (${info.operation} by ${info.user}, since ${info.since}${info.run ? `, ${info.run}` : ''}; lock ID ${info.id})`,
    {
      hint: gone
        ? `pid ${info.pid} is no longer running on this host: the lock is stale. Clear it with: lxplan force-unlock ${info.id} --state ${path} (or wait ${stale}: it is taken over automatically)`
        : `wait for that run to finish and try again; if its process died on another host, clear the lock with: lxplan force-unlock ${info.id} --state ${path}`,
    },
  );
}

/**
 * Removes the lock of `path` held under `id` (from the "locked" message), for a run that died
 * and left it. Refused when the id does not match, or its holder still runs on this host.
 */
export async function forceUnlock(path: string, id: string, timings: LockTimings = DEFAULT_LOCK_TIMINGS): Promise<LockInfo | undefined> {
  const info = await readLockInfo(path);
  const dir = lockDirOf(path);
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (!exists) throw new LxplanError('usage', `state file ${path} is not locked`);
  if (!info) {
    // A run died between taking the lock and saying who it is: "none" clears it once it is
    // clearly not refreshed any more (a live holder refreshes it every few seconds).
    const age = await lockAgeMs(path);
    if (id !== 'none') throw new LxplanError('usage', `the lock of ${path} holds no information: its ID is "none", not ${id}`);
    if (age <= 2 * timings.updateMs)
      throw new LxplanError('usage', `the lock of ${path} was refreshed ${Math.round(age / 1000)} s ago: a run may still hold it; nothing was removed`, {
        hint: 'try again in a few seconds',
      });
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  if (info.id !== id) throw new LxplanError('usage', `the lock of ${path} has ID ${info.id}, not ${id}: nothing was removed`);
  if (info.host === os.hostname() && !holderGone(info)) {
    throw new LxplanError('usage', `pid ${info.pid} (${info.operation}) still runs on this host and holds the lock of ${path}: nothing was removed`, {
      hint: 'stop that run first (it releases the lock as it exits)',
    });
  }
  await unlink(lockInfoPathOf(path)).catch(() => {});
  await rm(dir, { recursive: true, force: true });
  return info;
}
