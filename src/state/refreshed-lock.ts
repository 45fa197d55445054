/**
 * A lock held on a shared backend (the daemon, PostgreSQL): a timer checks it every updateMs
 * while it is held, and a failed check marks it lost (`compromised`, never thrown: saving goes on
 * and the caller warns). Release stops the timer, lets a check in flight end, then lets the
 * backend drop the lock. The backends differ only in what a check and a release do.
 */
import type { LockInfo } from './lock.js';
import type { HeldLock } from './store.js';

export interface LockUpkeep {
  /** One check while held: resolves to a reason when the lock is lost, undefined while it is still ours. Rejections count as lost too. */
  check(): Promise<Error | undefined>;
  /** Drops the lock on the backend, once, at release. */
  release(): Promise<void>;
}

export class RefreshedLock implements HeldLock {
  compromised: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<unknown> = Promise.resolve();

  constructor(
    readonly info: LockInfo,
    updateMs: number,
    private readonly upkeep: LockUpkeep,
  ) {
    this.timer = setInterval(() => {
      this.checking = upkeep.check().then(
        (lost) => lost && this.lose(lost),
        (e: unknown) => this.lose(e instanceof Error ? e : new Error(String(e))),
      );
    }, updateMs);
    this.timer.unref();
  }

  /** Marks the lock lost (the first reason is kept). */
  lose(why: Error): void {
    this.compromised ??= why;
  }

  /** Whether the lock is still held by this run (release not yet called). */
  get held(): boolean {
    return this.timer !== undefined;
  }

  async release(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
    await this.upkeep.release();
  }
}
