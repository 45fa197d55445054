/**
 * The state as a local file (the default: lxplan.state.json next to the manifests). Every write
 * is atomic (temp file, fsync, rename, fsync of the folder) and the replaced file is kept as
 * `<path>.backup`, so a crash or a full disk never leaves a half-written state; the lock is
 * proper-lockfile's, beside the file (lock.ts).
 */
import { access, copyFile, link, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { backupPathOf, corruptError, parse } from './file.js';
import { StateLock, type LockTimings } from './lock.js';
import type { State } from './model.js';
import type { HeldLock, StateStore } from './store.js';

export class FileStore implements StateStore {
  readonly backupLabel: string;

  constructor(readonly label: string) {
    this.backupLabel = backupPathOf(label);
  }

  read(): Promise<State | undefined> {
    return readState(this.label);
  }

  write(text: string): Promise<void> {
    return writeAtomic(this.label, text);
  }

  lock(operation: string, timings: LockTimings): Promise<HeldLock> {
    return StateLock.acquire(this.label, operation, timings);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readState(statePath: string): Promise<State | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(statePath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return undefined;
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
  if (!(e instanceof LxplanError) || e.code !== 'state.format' || (!e.message.includes(backup) && !e.hint?.includes(backup))) return e;
  if (
    await access(backup).then(
      () => true,
      () => false,
    )
  )
    return e;
  const none = `there is no backup (${backup} does not exist)`;
  return new LxplanError('state.format', e.message.replace(`the previous good version is kept in ${backup}`, none), {
    hint: [
      // (The malformed-file hint starts with what is wrong; the rest of it named the backup.)
      e.hint?.split(';')[0].startsWith('the file does not match') ? e.hint.split(';')[0] : undefined,
      `restore ${path.basename(statePath)} from where you keep it (version control, CI artifacts), or start a new state and adopt the objects again with lxplan import`,
    ]
      .filter(Boolean)
      .join('; '),
    cause: e,
  });
}

function ioError(statePath: string, e: unknown): LxplanError {
  const err = e as NodeJS.ErrnoException;
  const unchanged = 'any previous state file is left unchanged';
  const hint =
    err.code === 'ENOSPC'
      ? `the disk is full: free some space and run again; ${unchanged}`
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
