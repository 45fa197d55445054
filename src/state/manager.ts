/**
 * The state manager for one state file: lock for the whole run, read once, then save after
 * every change (Terraform's statemgr). Saves go through one promise chain because the executor's
 * parallel workers each save after their change: unserialised, two writes could interleave and
 * a later save could carry an older state. Every write is atomic (temp file, fsync, rename,
 * fsync of the folder) and the replaced file is kept as `<path>.backup`, so a crash or a full
 * disk never leaves a half-written state.
 */
import { LxplanError } from '../errors.js';
import { serialize } from './file.js';
import { FileStore } from './file-store.js';
import { DEFAULT_LOCK_TIMINGS, type LockInfo, type LockTimings } from './lock.js';
import { emptyState, STATE_VERSION, type DaemonRecord, type State } from './model.js';
import { describeDaemon } from './daemon-binding.js';
import type { HeldLock, StateStore } from './store.js';

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

  /** How messages name the state: its file path, or the store's label. */
  readonly path: string;

  private constructor(
    private readonly store: StateStore,
    state: State,
    private readonly lock: HeldLock | undefined,
  ) {
    this.path = store.label;
    this.current = state;
  }

  /**
   * Locks (when asked) and reads the state at `path`. A missing file is an empty state with a
   * new lineage; nothing is written until the first save. Messages name `path` as given.
   */
  static async open(statePath: string, opts: OpenOptions): Promise<StateManager> {
    return StateManager.openStore(new FileStore(statePath), opts);
  }

  /** The same, for any store (a state kept on the daemon: daemon-store.ts). */
  static async openStore(store: StateStore, opts: OpenOptions): Promise<StateManager> {
    const lock = opts.lock ? await store.lock(opts.operation, opts.lockTimings ?? DEFAULT_LOCK_TIMINGS) : undefined;
    try {
      return new StateManager(store, (await store.read()) ?? emptyState(), lock);
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

  /**
   * Ties the state to the server the run talks to (daemon-binding.ts: its certificate; a cluster's, for
   * any member): a state recorded for another server is refused, naming both; one that records
   * none (new, or written before servers were recorded) takes this one, written with the next
   * save. `daemon` undefined (a daemon that does not say its certificate): nothing is checked.
   */
  bindDaemon(daemon: DaemonRecord | undefined): void {
    if (daemon === undefined) return;
    const recorded = this.current.daemon;
    if (recorded?.fingerprint === daemon.fingerprint) return;
    if (recorded !== undefined) {
      throw new LxplanError(
        'usage',
        `state ${this.path} belongs to another server: it was made on ${describeDaemon(recorded, 'reached then at')}, and this run talks to ${describeDaemon(daemon, 'at')}`,
        {
          hint: 'a state belongs to one server (every member of a cluster counts as the same one): use --state with another state for this server, or the right --remote (or LXPLAN_REMOTE_URL) for the server the state was made on',
        },
      );
    }
    this.current = { ...this.current, daemon };
  }

  /** Who holds the lock (this process), when locked. */
  get lockInfo(): LockInfo | undefined {
    return this.lock?.info;
  }

  /** The holder this run took the lock over from, because its process was gone; the caller says so. */
  get lockTakenOver(): LockInfo | undefined {
    return this.lock?.takenOver;
  }

  /**
   * Set when the lock was lost while held (its directory removed, or not refreshed in time so
   * another run may have taken it). Saving goes on regardless, since recording what was done
   * matters more; the caller should warn.
   */
  get lockCompromised(): Error | undefined {
    return this.lock?.compromised;
  }

  get backupPath(): string | undefined {
    return this.store.backupLabel;
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
      const daemon = this.current.daemon ?? next.daemon;
      const saved: State = {
        ...next,
        version: STATE_VERSION,
        lineage: this.current.lineage,
        serial: this.current.serial + 1,
        ...(project !== undefined ? { project } : {}),
        ...(daemon !== undefined ? { daemon } : {}),
      };
      await this.store.write(serialize(saved));
      this.current = saved;
      return saved;
    });
    this.queue = run.catch(() => {});
    return run;
  }
}
