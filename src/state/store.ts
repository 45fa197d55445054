/**
 * Where a state is kept, and how it is locked: the manager (manager.ts) saves through one of
 * these, so the local file (file-store.ts) and a state kept on the LXD or Incus daemon itself
 * (daemon-store.ts) behave alike: read once, written whole and atomically after every change,
 * locked for the whole run, with who holds the lock.
 */
import type { LockInfo, LockTimings } from './lock.js';
import type { State } from './model.js';

export interface HeldLock {
  readonly info: LockInfo;
  /** Set (never thrown) when the lock was lost while held: saving goes on, the caller warns. */
  readonly compromised: Error | undefined;
  /** Set when this run took the lock over from a holder that is gone (it is said to the user). */
  readonly takenOver?: LockInfo;
  release(): Promise<void>;
}

export interface StateStore {
  /** How messages name it: a file path, or "lxd:NAME on remote R". */
  readonly label: string;
  /** The state, checked (file.ts parse); undefined when none was saved yet. Errors are LxplanErrors ('state.io', 'state.format'). */
  read(): Promise<State | undefined>;
  /** Replaces the state with `text`, all or nothing. */
  write(text: string): Promise<void>;
  /** Takes the lock or fails at once with 'state.locked', naming the holder. */
  lock(operation: string, timings: LockTimings): Promise<HeldLock>;
  /** Where the previous version is kept, when the store keeps one (messages about a corrupt state). */
  readonly backupLabel?: string;
}
