/**
 * The state manager for one state file: lock for the whole run, read once, then save after
 * every change (Terraform's statemgr). Saves go through one promise chain because the executor's
 * parallel workers each save after their change: unserialised, two writes could interleave and
 * a later save could carry an older state. Every write is atomic (temp file, fsync, rename,
 * fsync of the folder) and the replaced file is kept as `<path>.backup`, so a crash or a full
 * disk never leaves a half-written state.
 */
import { access, copyFile, link, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { backupPathOf, corruptError, parse, serialize } from './file.js';
import { DEFAULT_LOCK_TIMINGS, StateLock, type LockInfo, type LockTimings } from './lock.js';
import { emptyState, STATE_VERSION, type State } from './model.js';

export interface OpenOptions {
  /** What this run does ("plan", "apply", ...): shown to whoever finds the state locked. */
  operation: string;
  /** Take the lock for the life of the manager (until release()). */
  lock: boolean;
  /** Lock staleness and refresh; every process sharing the file must agree. For tests. */
  lockTimings?: LockTimings;
}

export class StateManager {
  private current: State;
  /** The tail of the save chain; never rejects, so one failed save does not block the next. */
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(readonly path: string, state: State, private readonly lock: StateLock | undefined) {
    this.current = state;
  }

  /**
   * Locks (when asked) and reads the state at `path`. A missing file is an empty state with a
   * new lineage; nothing is written until the first save. Messages name `path` as given.
   */
  static async open(statePath: string, opts: OpenOptions): Promise<StateManager> {
    const lock = opts.lock ? await StateLock.acquire(statePath, opts.operation, opts.lockTimings ?? DEFAULT_LOCK_TIMINGS) : undefined;
    try {
      return new StateManager(statePath, await readState(statePath), lock);
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  /** The latest saved (or read) state. Treat it as immutable: build new ones with withEntry/withoutEntry. */
  get state(): State {
    return this.current;
  }

  /**
   * Ties the state to the LXD project the run works in: a state written for another project is
   * refused (its addresses name objects of that project); one that records none (new, or written
   * before projects were recorded) takes this one, written with the next save.
   */
  bindProject(project: string): void {
    const recorded = this.current.project;
    if (recorded === project) return;
    if (recorded !== undefined) {
      throw new LxplanError('usage', `state file ${this.path} is for LXD project "${recorded}", not "${project}"`, {
        hint: `each project has its own state: use --state with another file for project "${project}", or work in project "${recorded}"`,
      });
    }
    this.current = { ...this.current, project };
  }

  /** Who holds the lock (this process), when locked. */
  get lockInfo(): LockInfo | undefined {
    return this.lock?.info;
  }

  /**
   * Set when the lock was lost while held (its directory removed, or not refreshed in time so
   * another run may have taken it). Saving goes on regardless, since recording what was done
   * matters more; the caller should warn.
   */
  get lockCompromised(): Error | undefined {
    return this.lock?.compromised;
  }

  get backupPath(): string {
    return backupPathOf(this.path);
  }

  /**
   * Saves `next` after the saves already queued. The manager owns `version`, `lineage` (kept) and
   * `serial` (previous + 1). Resolves to what was written; on failure (LxplanError 'state.io')
   * the file and `state` are unchanged.
   */
  save(next: State): Promise<State> {
    return this.enqueue(() => next);
  }

  /** Applies `fn` to the latest state inside the save queue and saves: what parallel callers use. */
  update(fn: (s: State) => State): Promise<State> {
    return this.enqueue(fn);
  }

  /** Waits for queued saves, then drops the lock. Idempotent; fine when never locked. */
  async release(): Promise<void> {
    this.released = true;
    await this.queue;
    await this.lock?.release();
  }

  private enqueue(fn: (s: State) => State): Promise<State> {
    if (this.released) return Promise.reject(new Error(`state file ${this.path}: save after release()`));
    const run = this.queue.then(async () => {
      const next = fn(this.current);
      const project = this.current.project ?? next.project;
      const saved: State = { ...next, version: STATE_VERSION, lineage: this.current.lineage, serial: this.current.serial + 1, ...(project !== undefined ? { project } : {}) };
      await writeAtomic(this.path, serialize(saved));
      this.current = saved;
      return saved;
    });
    this.queue = run.catch(() => {});
    return run;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readState(statePath: string): Promise<State> {
  let bytes: Buffer;
  try {
    bytes = await readFile(statePath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return emptyState();
    throw new LxplanError('state.io', `cannot read state file ${statePath}: ${err.message}`, {
      hint: err.code === 'EISDIR' ? `${statePath} is a directory: give the state file's path with --state, or move the directory away` : undefined,
      cause: e,
    });
  }
  // Decoded strictly: a flipped byte inside a string would otherwise become U+FFFD and be
  // accepted (a changed lineage or name) instead of being reported.
  try {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (e) {
      throw corruptError(statePath, 'not UTF-8 text', e);
    }
    return parse(text, statePath);
  } catch (e) {
    throw await withoutMissingBackup(e, statePath);
  }
}

/** A corrupt-state error names the backup; when there is none (never saved twice), it says so instead. */
async function withoutMissingBackup(e: unknown, statePath: string): Promise<unknown> {
  const backup = backupPathOf(statePath);
  if (!(e instanceof LxplanError) || e.code !== 'state.format' || !e.message.includes(backup) && !e.hint?.includes(backup)) return e;
  if (await access(backup).then(() => true, () => false)) return e;
  const none = `there is no backup (${backup} does not exist)`;
  return new LxplanError('state.format', e.message.replace(`the previous good version is kept in ${backup}`, none), {
    hint: [
      // (The malformed-file hint starts with what is wrong; the rest of it named the backup.)
      e.hint?.split(';')[0].startsWith('the file does not match') ? e.hint.split(';')[0] : undefined,
      `restore ${path.basename(statePath)} from where you keep it (version control, CI artifacts), or start a new state and adopt the objects again with lxplan import`,
    ].filter(Boolean).join('; '),
    cause: e,
  });
}

function ioError(statePath: string, e: unknown): LxplanError {
  const err = e as NodeJS.ErrnoException;
  const unchanged = 'any previous state file is left unchanged';
  const hint =
    err.code === 'ENOSPC' ? `the disk is full: free some space and run again; ${unchanged}`
    : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS'
      ? `lxplan writes a temporary file and ${path.basename(backupPathOf(statePath))} next to the state file: its folder must be writable; ${unchanged}`
      : unchanged;
  return new LxplanError('state.io', `cannot write state file ${statePath}: ${err.message}`, { hint, cause: e });
}

/**
 * Keeps the file about to be replaced as `<path>.backup`: a hard link (no copy, and the old
 * inode survives the rename) or, where links are not supported, a copy; both land under a
 * temporary name first so the backup itself is never half-written.
 */
async function keepBackup(statePath: string): Promise<void> {
  const backup = backupPathOf(statePath);
  const tmp = `${backup}.tmp-${process.pid}`;
  await unlink(tmp).catch(() => {});
  try {
    await link(statePath, tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // first save: nothing to keep
    if (code === 'EEXIST') throw e;
    await copyFile(statePath, tmp);
  }
  await rename(tmp, backup);
}

/** fsync of the folder makes the rename itself durable. Best effort: some platforms refuse it. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close().catch(() => {});
}

async function writeAtomic(statePath: string, text: string): Promise<void> {
  const tmp = `${statePath}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await keepBackup(statePath);
    await rename(tmp, statePath);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw ioError(statePath, e);
  }
  await syncDir(path.dirname(statePath));
}
