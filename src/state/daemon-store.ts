/**
 * A state kept on the LXD or Incus daemon it manages (`--state lxd:NAME`), so that CI runners
 * anywhere share it without a shared disk, and a cluster replicates it in its own database.
 *
 * It lives in a project of its own, `lxplan-state-NAME` (empty: nothing else is ever put in
 * it), in two `user.*` keys of the project's config, which LXD 5.0 and Incus 6.0 both keep:
 *
 *   user.lxplan.state   the state file's JSON, gzipped and base64-encoded
 *
 * and the lock is an object of that project, the profile `lxplan-lock`, whose user.lxplan.lock
 * key says who holds it (LockInfo) and when it last said it was alive. Creating it is atomic (a
 * name is unique in the daemon's database), which a PUT with If-Match is not: LXD compares the
 * ETag and writes in two steps, and concurrent PUTs with the same ETag were seen to all succeed.
 * Only the lock's holder writes the state; its PUTs still carry If-Match, so an edit made by hand
 * in between is not overwritten silently (it is read again and the write retried). Measured here (docs/remotes.md): one key holds 64 MB
 * on both daemons; a PUT of 1 MB takes ~50 ms. A state is a few hundred bytes per object before
 * compression, so no chunking is needed; a state over MAX_ENCODED is refused with a message.
 *
 * The lock is alive while its holder rewrites `heartbeat` every updateMs; a lock whose heartbeat
 * is older than staleMs (by the reader's clock: runners' clocks must agree within that) is removed
 * and made again by the next run. Of two runs making it at once, one gets a conflict, reads the
 * winner's lock and reports it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { LxplanError } from '../errors.js';
import type { LxdClient } from '../lxd/client.js';
import { isNotFound, isPreconditionFailed, LxdApiError } from '../lxd/errors.js';
import type { LxdProject } from '../lxd/types.js';
import { parse } from './file.js';
import { describeHolder, newHolder } from './holder.js';
import type { LockInfo, LockTimings } from './lock.js';
import type { State } from './model.js';
import { RefreshedLock } from './refreshed-lock.js';
import type { HeldLock, StateStore } from './store.js';

export const STATE_KEY = 'user.lxplan.state';
export const LOCK_KEY = 'user.lxplan.lock';
/** The object whose existence is the lock: a profile of the state's project (made atomically, or refused as existing). */
export const LOCK_OBJECT = 'lxplan-lock';
export const STATE_PROJECT_PREFIX = 'lxplan-state-';
/** Encoded state larger than this is refused (the daemons take 64 MB in one key; a PUT of this size takes seconds). */
export const MAX_ENCODED = 32 * 1024 * 1024;
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export interface StoredLock extends LockInfo {
  /** ISO 8601, milliseconds: the holder's last sign of life. */
  heartbeat: string;
}

/** "lxd:NAME" -> NAME; undefined for anything else (a file path). */
export function daemonStateName(spec: string): string | undefined {
  const m = /^(?:lxd|incus):(.*)$/.exec(spec);
  if (!m) return undefined;
  if (!NAME.test(m[1]))
    throw new LxplanError('usage', `--state ${spec}: a state kept on the daemon is named with lowercase letters, digits and '-' (at most 40), e.g. lxd:web`);
  return m[1];
}

export class DaemonStore implements StateStore {
  readonly label: string;
  readonly project: string;
  private scoped: LxdClient | undefined;

  /**
   * `client`: any client of the daemon (the store works in its own project, whatever the client's). `where`: the daemon, for messages.
   * `notice`: told what the user should know but is not an error (a dead holder's lock taken over).
   */
  constructor(
    private readonly client: LxdClient,
    readonly name: string,
    where: string,
    private readonly notice: (text: string) => void = () => {},
  ) {
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
      if (e instanceof LxplanError && e.code === 'state.format')
        throw this.corrupt(e.message.replace(/^state file .*? is corrupt \((.*)\); the previous good version.*$/s, '$1'), e);
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
    if (encoded.length > MAX_ENCODED)
      throw new LxplanError(
        'state.io',
        `state ${this.label} is ${encoded.length} bytes compressed, over the ${MAX_ENCODED} lxplan keeps in one daemon key: use a file or PostgreSQL state`,
      );
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = await this.ensure();
      // Any write (a heartbeat, another key) between read and PUT is a 412: read again and retry.
      if (await this.put(read, (c) => ({ ...c, [STATE_KEY]: encoded }))) return;
    }
    throw new LxplanError('state.io', `cannot write state ${this.label}: the project kept changing under every attempt`);
  }

  /** A client of the state's own project (the lock object lives there). */
  private inProject(): LxdClient {
    return (this.scoped ??= this.client.withProject(this.project));
  }

  /** The lock object, when there is one: its info and ETag. */
  private async readLock(): Promise<{ held: StoredLock | undefined; etag: string } | undefined> {
    try {
      const r = await this.inProject().request<{ config?: Record<string, string> }>('GET', `/1.0/profiles/${LOCK_OBJECT}`);
      return { held: parseLock(r.value.config?.[LOCK_KEY]), etag: r.etag ?? '' };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async lock(operation: string, timings: LockTimings): Promise<HeldLock> {
    const info = newHolder(operation);
    await this.ensure();
    let dead: { held: StoredLock | undefined } | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const mine: StoredLock = { ...info, heartbeat: new Date().toISOString() };
      try {
        // Creating an object is atomic (the name is unique in the daemon's database): of two runs
        // creating it at once, one gets it and the other a conflict. (An If-Match PUT is not enough
        // for a lock: LXD checks the ETag and writes in two steps, and two PUTs racing with the same
        // ETag were both seen to succeed here.)
        await this.inProject().request('POST', '/1.0/profiles', {
          body: { name: LOCK_OBJECT, description: `lxplan's lock of state "${this.name}"`, config: { [LOCK_KEY]: JSON.stringify(mine) } },
        });
        if (dead) this.notice(takeoverNotice(this.label, dead.held, timings));
        return daemonLock(this, info, timings);
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
      const read = await this.readLock();
      if (!read) continue; // released in between: try again
      if (read.held && Date.now() - Date.parse(read.held.heartbeat) < timings.staleMs) throw this.lockedError(read.held, timings);
      // Stale (its holder stopped refreshing it) or unreadable: remove that one, then try again.
      dead = { held: read.held };
      await this.removeLock(read.etag);
    }
    throw new LxplanError('state.locked', `cannot take the lock of state ${this.label}: it kept changing under every attempt`);
  }

  private async removeLock(etag: string): Promise<void> {
    try {
      await this.inProject().request('DELETE', `/1.0/profiles/${LOCK_OBJECT}`, { etag });
    } catch (e) {
      if (!isNotFound(e) && !isPreconditionFailed(e)) throw e;
    }
  }

  /** Rewrites the heartbeat (refresh) or removes the lock (release) if it is still `id`'s; false when it is not (lost). */
  async touchLock(id: string, release: boolean): Promise<boolean> {
    const read = await this.readLock();
    if (!read || read.held?.id !== id) return false;
    if (release) {
      await this.removeLock(read.etag);
      return true;
    }
    try {
      await this.inProject().request('PUT', `/1.0/profiles/${LOCK_OBJECT}`, {
        body: {
          description: `lxplan's lock of state "${this.name}"`,
          config: { [LOCK_KEY]: JSON.stringify({ ...read.held, heartbeat: new Date().toISOString() }) },
          devices: {},
        },
        etag: read.etag,
      });
      return true;
    } catch (e) {
      if (isNotFound(e) || isPreconditionFailed(e)) return (await this.readLock())?.held?.id === id;
      throw e;
    }
  }

  /** Removes the lock held under `id` (lxplan force-unlock); the holder's info, or an error saying why not. */
  async forceUnlock(id: string): Promise<LockInfo> {
    const read = await this.readLock();
    if (!read?.held) throw new LxplanError('usage', `state ${this.label} is not locked`);
    if (read.held.id !== id) throw new LxplanError('usage', `the lock of ${this.label} has ID ${read.held.id}, not ${id}: nothing was removed`);
    await this.removeLock(read.etag);
    return read.held;
  }

  private lockedError(held: StoredLock, timings: LockTimings): LxplanError {
    const ago = Math.round((Date.now() - Date.parse(held.heartbeat)) / 1000);
    return new LxplanError('state.locked', `state ${this.label} is locked by ${describeHolder(held).replace(/\)$/, `; alive ${ago} s ago)`)}`, {
      hint: `wait for that run to finish and try again; if it died, the next run takes the lock over once it has not been refreshed for ${Math.round(timings.staleMs / 1000)} s (its lease), or clear it now with: lxplan force-unlock ${held.id} --state lxd:${this.name}`,
    });
  }
}

/** What the run that took a dead holder's lock over says: who it was, and why it is taken to be gone (its lease ran out). */
export function takeoverNotice(label: string, dead: StoredLock | undefined, timings: LockTimings): string {
  const lease = `${Math.round(timings.staleMs / 1000)} s`;
  if (!dead) return `The lock of state ${label} held no readable holder information and was taken over.\n`;
  const ago = Math.round((Date.now() - Date.parse(dead.heartbeat)) / 1000);
  return `The previous holder of the lock of state ${label}, ${describeHolder(dead)}, is gone: it last refreshed the lock ${ago} s ago, past its ${lease} lease; its lock was taken over.\n`;
}

/** LXD's answer to creating what exists already (409; some paths say 400 with "already exists"). */
function isConflict(e: unknown): boolean {
  return e instanceof LxdApiError && (e.status === 409 || /already exists/i.test(e.lxdError));
}

function parseLock(text: string | undefined): StoredLock | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StoredLock>;
    if (typeof v.id !== 'string' || typeof v.heartbeat !== 'string' || Number.isNaN(Date.parse(v.heartbeat))) return undefined;
    return {
      id: v.id,
      pid: Number(v.pid ?? 0),
      host: String(v.host ?? '?'),
      user: String(v.user ?? '?'),
      operation: String(v.operation ?? '?'),
      since: String(v.since ?? '?'),
      ...(typeof v.run === 'string' ? { run: v.run } : {}),
      heartbeat: v.heartbeat,
    };
  } catch {
    return undefined;
  }
}

/** A lock held on the daemon: refreshed every updateMs; lost (compromised) when another run took it. */
function daemonLock(store: DaemonStore, info: LockInfo, timings: LockTimings): RefreshedLock {
  return new RefreshedLock(info, timings.updateMs, {
    check: async () => ((await store.touchLock(info.id, false)) ? undefined : new Error(`the lock of ${store.label} was taken by another run`)),
    release: async () => {
      await store.touchLock(info.id, true);
    },
  });
}
