/**
 * A state kept on the LXD or Incus daemon it manages (`--state lxd:NAME`), so that CI runners
 * anywhere share it without a shared disk, and a cluster replicates it in its own database.
 *
 * It lives in a project of its own, `lxplan-state-NAME` (empty: nothing else is ever put in
 * it), in two `user.*` keys of the project's config, which LXD 5.0 and Incus 6.0 both keep:
 *
 *   user.lxplan.state   the state file's JSON, gzipped and base64-encoded
 *   user.lxplan.lock    who holds the lock (LockInfo) and when it last said it was alive
 *
 * Every write is one PUT of the project's config with If-Match: the daemon applies it only if
 * nobody wrote the project since it was read (HTTP 412 otherwise), which is the compare-and-swap
 * both the lock and the saves stand on. Measured here (docs/remotes.md): one key holds 64 MB
 * on both daemons; a PUT of 1 MB takes ~50 ms. A state is a few hundred bytes per object before
 * compression, so no chunking is needed; a state over MAX_ENCODED is refused with a message.
 *
 * The lock is alive while its holder rewrites `heartbeat` every updateMs; a lock whose heartbeat
 * is older than staleMs (by the reader's clock: runners' clocks must agree within that) is taken
 * over. Two runs racing for it both PUT with the ETag they read: one wins, the other gets 412,
 * reads again and finds the winner's lock.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LxplanError } from '../errors.js';
import type { LxdClient } from '../lxd/client.js';
import { isNotFound, isPreconditionFailed } from '../lxd/errors.js';
import type { LxdProject } from '../lxd/types.js';
import { parse } from './file.js';
import type { LockInfo, LockTimings } from './lock.js';
import type { State } from './model.js';
import type { HeldLock, StateStore } from './store.js';

export const STATE_KEY = 'user.lxplan.state';
export const LOCK_KEY = 'user.lxplan.lock';
export const STATE_PROJECT_PREFIX = 'lxplan-state-';
/** Encoded state larger than this is refused (the daemons take 64 MB in one key; a PUT of this size takes seconds). */
export const MAX_ENCODED = 32 * 1024 * 1024;
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

interface StoredLock extends LockInfo {
  /** ISO 8601, milliseconds: the holder's last sign of life. */
  heartbeat: string;
}

/** "lxd:NAME" -> NAME; undefined for anything else (a file path). */
export function daemonStateName(spec: string): string | undefined {
  const m = /^(?:lxd|incus):(.*)$/.exec(spec);
  if (!m) return undefined;
  if (!NAME.test(m[1])) throw new LxplanError('usage', `--state ${spec}: a state kept on the daemon is named with lowercase letters, digits and '-' (at most 40), e.g. lxd:web`);
  return m[1];
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '?';
  }
}

export class DaemonStore implements StateStore {
  readonly label: string;
  readonly project: string;

  /** `client`: any client of the daemon (the store works in its own project, whatever the client's). `where`: the daemon, for messages. */
  constructor(private readonly client: LxdClient, readonly name: string, where: string) {
    this.project = `${STATE_PROJECT_PREFIX}${name}`;
    this.label = `lxd:${name} (project ${this.project} on ${where})`;
  }

  private async get(): Promise<{ project: LxdProject; etag: string } | undefined> {
    try {
      const r = await this.client.request<LxdProject>('GET', `/1.0/projects/${this.project}`);
      return { project: r.value, etag: r.etag ?? '' };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** PUT of the project's config as `change` makes it from what was read, with If-Match; false on 412 (someone wrote it since). */
  private async put(read: { project: LxdProject; etag: string }, change: (config: Record<string, string>) => Record<string, string>): Promise<boolean> {
    const config = change({ ...read.project.config });
    try {
      await this.client.request('PUT', `/1.0/projects/${this.project}`, { body: { config, description: read.project.description ?? '' }, etag: read.etag });
      return true;
    } catch (e) {
      if (isPreconditionFailed(e)) return false;
      throw e;
    }
  }

  /** The project, made on first use (with LXD's defaults; nothing is ever put in it). */
  private async ensure(): Promise<{ project: LxdProject; etag: string }> {
    const got = await this.get();
    if (got) return got;
    try {
      await this.client.request('POST', '/1.0/projects', {
        body: { name: this.project, description: `lxplan state "${this.name}": written by lxplan only; do not edit or delete`, config: {} },
      });
    } catch (e) {
      // Another run made it in between: fine. Anything else (a restricted certificate) is an error.
      if (!(await this.get())) throw e;
    }
    const made = await this.get();
    if (!made) throw new LxplanError('state.io', `cannot make project ${this.project} for state ${this.label}`);
    return made;
  }

  async read(): Promise<State | undefined> {
    const got = await this.get();
    const encoded = got?.project.config?.[STATE_KEY];
    if (!encoded) return undefined;
    let text: string;
    try {
      text = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
    } catch (e) {
      throw this.corrupt(`${STATE_KEY} is not gzipped base64`, e);
    }
    try {
      return parse(text, this.label);
    } catch (e) {
      if (e instanceof LxplanError && e.code === 'state.format') throw this.corrupt(e.message.replace(/^state file .*? is corrupt \((.*)\); the previous good version.*$/s, '$1'), e);
      throw e;
    }
  }

  /** The file format's corrupt-state error speaks of a backup file; the daemon keeps none. */
  private corrupt(why: string, cause: unknown): LxplanError {
    return new LxplanError('state.format', `state ${this.label} is corrupt (${why})`, {
      cause,
      hint: `the daemon keeps no older version: restore the ${STATE_KEY} key of project ${this.project} from a copy you keep, or start again and adopt the objects with lxplan import`,
    });
  }

  async write(text: string): Promise<void> {
    const encoded = gzipSync(Buffer.from(text, 'utf8')).toString('base64');
    if (encoded.length > MAX_ENCODED) throw new LxplanError('state.io', `state ${this.label} is ${encoded.length} bytes compressed, over the ${MAX_ENCODED} lxplan keeps in one daemon key: use a file or PostgreSQL state`);
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = await this.ensure();
      // Any write (a heartbeat, another key) between read and PUT is a 412: read again and retry.
      if (await this.put(read, (c) => ({ ...c, [STATE_KEY]: encoded }))) return;
    }
    throw new LxplanError('state.io', `cannot write state ${this.label}: the project kept changing under every attempt`);
  }

  async lock(operation: string, timings: LockTimings): Promise<HeldLock> {
    const info: LockInfo = { id: randomBytes(8).toString('hex'), pid: process.pid, host: os.hostname(), user: userName(), operation, since: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = await this.ensure();
      const held = parseLock(read.project.config?.[LOCK_KEY]);
      if (held && Date.now() - Date.parse(held.heartbeat) < timings.staleMs) throw this.lockedError(held);
      const mine: StoredLock = { ...info, heartbeat: new Date().toISOString() };
      if (await this.put(read, (c) => ({ ...c, [LOCK_KEY]: JSON.stringify(mine) }))) return new DaemonLock(this, info, timings);
    }
    throw new LxplanError('state.locked', `cannot take the lock of state ${this.label}: it kept changing under every attempt`);
  }

  /** Rewrites the heartbeat (refresh) or removes the lock (release) if it is still `id`'s; false when it is not (lost). */
  async touchLock(id: string, release: boolean): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = await this.get();
      const held = parseLock(read?.project.config?.[LOCK_KEY]);
      if (!read || held?.id !== id) return false;
      const ok = await this.put(read, (c) => {
        const next = { ...c };
        if (release) delete next[LOCK_KEY];
        else next[LOCK_KEY] = JSON.stringify({ ...held, heartbeat: new Date().toISOString() });
        return next;
      });
      if (ok) return true;
    }
    return false;
  }

  /** Removes the lock held under `id` (lxplan force-unlock); the holder's info, or an error saying why not. */
  async forceUnlock(id: string): Promise<LockInfo> {
    const read = await this.get();
    const held = parseLock(read?.project.config?.[LOCK_KEY]);
    if (!read || !held) throw new LxplanError('usage', `state ${this.label} is not locked`);
    if (held.id !== id) throw new LxplanError('usage', `the lock of ${this.label} has ID ${held.id}, not ${id}: nothing was removed`);
    if (!(await this.touchLock(id, true))) throw new LxplanError('usage', `the lock of ${this.label} changed while it was being removed: nothing was removed; look again`);
    return held;
  }

  private lockedError(held: StoredLock): LxplanError {
    const ago = Math.round((Date.now() - Date.parse(held.heartbeat)) / 1000);
    return new LxplanError('state.locked', `state ${this.label} is locked by pid ${held.pid} on host ${held.host} (${held.operation} by ${held.user}, since ${held.since}; lock ID ${held.id}; alive ${ago} s ago)`, {
      hint: `wait for that run to finish and try again; if it died, the lock is taken over once it has not been refreshed for a while, or clear it with: lxplan force-unlock ${held.id} --state lxd:${this.name}`,
    });
  }
}

function parseLock(text: string | undefined): StoredLock | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StoredLock>;
    if (typeof v.id !== 'string' || typeof v.heartbeat !== 'string' || Number.isNaN(Date.parse(v.heartbeat))) return undefined;
    return { id: v.id, pid: Number(v.pid ?? 0), host: String(v.host ?? '?'), user: String(v.user ?? '?'), operation: String(v.operation ?? '?'), since: String(v.since ?? '?'), heartbeat: v.heartbeat };
  } catch {
    return undefined;
  }
}

/** A lock held on the daemon: refreshed every updateMs; lost (compromised) when another run took it. */
class DaemonLock implements HeldLock {
  compromised: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: DaemonStore, readonly info: LockInfo, timings: LockTimings) {
    this.timer = setInterval(() => {
      this.refreshing = this.store.touchLock(info.id, false).then(
        (ok) => { if (!ok && !this.compromised) this.compromised = new Error(`the lock of ${this.store.label} was taken by another run`); },
        (e: unknown) => { if (!this.compromised) this.compromised = e instanceof Error ? e : new Error(String(e)); },
      );
    }, timings.updateMs);
    this.timer.unref();
  }

  async release(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
    await this.store.touchLock(this.info.id, true);
  }
}
