/**
 * A state kept in PostgreSQL (`--state postgres://USER@HOST:PORT/DB?workspace=NAME`), as
 * Terraform's pg backend keeps it: a schema of lxplan's own (`lxplan`, or the URL's `schema`
 * parameter) with one row per workspace in `states` (the state file's JSON, its lineage and
 * serial, and the version it replaced), made on first use.
 *
 * The lock is a session-level advisory lock (pg_try_advisory_lock on a key made from the schema
 * and the workspace) taken on a connection of its own that stays open for the whole run, plus a
 * row of `locks` saying who holds it (LockInfo, and the server process of that connection). The
 * server drops an advisory lock when its session ends: a holder that dies (kill -9, a crash, a
 * lost network once TCP keepalive gives up) loses it, and the next run takes it at once and says
 * so. A row whose session is gone is only a leftover, never a lock. Every write goes over the
 * lock's own connection, in one transaction: a run whose session was ended (force-unlock) can
 * no longer write.
 *
 * The URL may carry a password: it is never printed. Labels and messages show it as `***`.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { LxplanError } from '../errors.js';
import { parse } from './file.js';
import { describeHolder, newHolder } from './holder.js';
import type { LockInfo, LockTimings } from './lock.js';
import type { State } from './model.js';
import { RefreshedLock } from './refreshed-lock.js';
import type { HeldLock, StateStore } from './store.js';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
const WORKSPACE = /^[A-Za-z0-9._-]{1,128}$/;
/** Serialises the first runs making the schema and its tables (CREATE ... IF NOT EXISTS races with itself). */
const SCHEMA_LOCK_KEY = '7308612479205471233';

/** What a postgres:// URL says, parsed; the password kept apart from everything that is shown. */
export interface PgTarget {
  /** For pg: the URL without lxplan's own parameters. */
  connectionString: string;
  /** The URL as messages show it: password replaced by ***. */
  redacted: string;
  /** "HOST:PORT" (or the socket directory), for messages. */
  server: string;
  user: string;
  database: string;
  schema: string;
  workspace: string;
  password: string;
}

/** True for a `--state` value naming a PostgreSQL state. */
export function isPgSpec(spec: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(spec);
}

/** The URL with its password (if any) replaced by ***, and nothing else changed: what messages show. */
export function redactUrl(spec: string): string {
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@');
}

/** Parses a `postgres://` or `postgresql://` URL; a usage error (password redacted) when it is not one lxplan can use. */
export function parsePgUrl(spec: string): PgTarget {
  const redacted = redactUrl(spec);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new LxplanError('usage', `--state ${redacted}: not a valid URL`, { hint: 'e.g. postgres://lxplan@db.example:5432/infra?workspace=web' });
  }
  const schema = url.searchParams.get('schema') ?? 'lxplan';
  const workspace = url.searchParams.get('workspace') ?? 'default';
  if (!SCHEMA.test(schema))
    throw new LxplanError('usage', `--state ${redacted}: schema "${schema}" must be a plain lowercase SQL name (letters, digits, _; at most 63)`);
  if (!WORKSPACE.test(workspace))
    throw new LxplanError('usage', `--state ${redacted}: workspace "${workspace}" must be 1 to 128 letters, digits, '.', '_' or '-'`);
  url.searchParams.delete('schema');
  url.searchParams.delete('workspace');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username) || process.env.PGUSER || 'postgres';
  const socketDir = url.searchParams.get('host');
  const server = url.hostname ? `${url.hostname}:${url.port || '5432'}` : socketDir ? `socket ${socketDir}` : 'the local socket';
  if (!database) throw new LxplanError('usage', `--state ${redacted}: the URL names no database (postgres://USER@HOST:PORT/DATABASE)`);
  return { connectionString: url.toString(), redacted, server, user, database, schema, workspace, password: decodeURIComponent(url.password) };
}

/** The advisory lock key of a workspace: 64 bits of a hash, signed, as PostgreSQL's bigint. */
export function advisoryKey(schema: string, workspace: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(`lxplan:${schema}:${workspace}`).digest().readBigUInt64BE(0)).toString();
}

interface LockRow {
  info: LockInfo;
  /** Its session still holds the advisory lock. */
  live: boolean;
  backendPid: number;
}

type Client = pg.Client;

export class PgStore implements StateStore {
  readonly label: string;
  readonly target: PgTarget;
  private readonly key: string;
  private readonly q: { states: string; locks: string };
  /** The lock's connection while held: every read and write of this run goes over it. */
  private held: Client | undefined;
  private schemaReady = false;

  /** `notice`: told what the user should know but is not an error (a dead holder's lock taken over). */
  constructor(
    spec: string,
    private readonly notice: (text: string) => void = () => {},
  ) {
    this.target = parsePgUrl(spec);
    this.label = this.target.redacted;
    this.key = advisoryKey(this.target.schema, this.target.workspace);
    this.q = { states: `"${this.target.schema}".states`, locks: `"${this.target.schema}".locks` };
  }

  /** The workspace's row name. */
  get workspace(): string {
    return this.target.workspace;
  }

  /** A new connection, or a 'state.io' error naming the server and what went wrong (never the password). */
  async connect(): Promise<Client> {
    const c = new pg.Client({ connectionString: this.target.connectionString, connectionTimeoutMillis: 10_000, keepAlive: true, application_name: 'lxplan' });
    // An idle connection that breaks emits 'error': unhandled, it would end the process.
    c.on('error', () => {});
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => {});
      throw this.ioError(e);
    }
    return c;
  }

  /** `fn` on the lock's connection when held, else on a connection of its own, closed after. */
  private async withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    if (this.held) {
      try {
        return await fn(this.held);
      } catch (e) {
        throw this.ioError(e);
      }
    }
    const c = await this.connect();
    try {
      return await fn(c);
    } catch (e) {
      throw this.ioError(e);
    } finally {
      await c.end().catch(() => {});
    }
  }

  private async ensureSchema(c: Client): Promise<void> {
    if (this.schemaReady) return;
    const exists = await c.query<{ s: string | null; l: string | null }>('SELECT to_regclass($1) AS s, to_regclass($2) AS l', [this.q.states, this.q.locks]);
    if (!exists.rows[0].s || !exists.rows[0].l) {
      await c.query('BEGIN');
      try {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
        await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.target.schema}"`);
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${this.q.states} (name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL, data text NOT NULL, previous text, updated_at timestamptz NOT NULL DEFAULT now())`,
        );
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${this.q.locks} (name text PRIMARY KEY, info jsonb NOT NULL, backend_pid integer NOT NULL, taken_at timestamptz NOT NULL DEFAULT now())`,
        );
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    }
    this.schemaReady = true;
  }

  async read(): Promise<State | undefined> {
    const text = await this.withClient(async (c) => {
      const t = await c.query<{ s: string | null }>('SELECT to_regclass($1) AS s', [this.q.states]);
      if (!t.rows[0].s) return undefined;
      const r = await c.query<{ data: string }>(`SELECT data FROM ${this.q.states} WHERE name = $1`, [this.workspace]);
      return r.rows[0]?.data;
    });
    if (text === undefined) return undefined;
    try {
      return parse(text, this.label);
    } catch (e) {
      if (e instanceof LxplanError && e.code === 'state.format') {
        const why = e.message.replace(/^state file .*? is corrupt \((.*)\); the previous good version.*$/s, '$1');
        throw new LxplanError('state.format', `state ${this.label} is corrupt (${why})`, {
          cause: e,
          hint: `the version it replaced is kept in column "previous" of row '${this.workspace}' of ${this.q.states}: check it and, if it is intact, copy it over column "data"`,
        });
      }
      throw e;
    }
  }

  /** Replaces the workspace's row in one transaction, keeping the version it replaces in `previous`. */
  async write(text: string): Promise<void> {
    let head: { lineage: string; serial: number };
    try {
      const v = JSON.parse(text) as { lineage?: unknown; serial?: unknown };
      head = { lineage: typeof v.lineage === 'string' ? v.lineage : '', serial: Number(v.serial ?? 0) };
    } catch (e) {
      throw new LxplanError('state.io', `cannot write state ${this.label}: not a state document`, { cause: e });
    }
    await this.withClient(async (c) => {
      await this.ensureSchema(c);
      await c.query('BEGIN');
      try {
        await c.query(
          `INSERT INTO ${this.q.states} AS s (name, lineage, serial, data) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial, data = EXCLUDED.data, previous = s.data, updated_at = now()`,
          [this.workspace, head.lineage, head.serial, text],
        );
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /** The lock row of this workspace, and whether its session still holds the advisory lock. */
  private async lockRow(c: Client): Promise<LockRow | undefined> {
    const r = await c.query<{ info: LockInfo; backend_pid: number; live: boolean }>(
      `SELECT l.info, l.backend_pid, EXISTS (
         SELECT 1 FROM pg_locks p WHERE p.locktype = 'advisory' AND p.granted AND p.pid = l.backend_pid AND p.objsubid = 1
           AND p.classid::text::bigint = (($2::bigint >> 32) & 4294967295) AND p.objid::text::bigint = ($2::bigint & 4294967295)
       ) AS live
       FROM ${this.q.locks} l WHERE l.name = $1`,
      [this.workspace, this.key],
    );
    const row = r.rows[0];
    return row ? { info: row.info, backendPid: row.backend_pid, live: row.live } : undefined;
  }

  async lock(operation: string, timings: LockTimings): Promise<HeldLock> {
    if (this.held) throw new Error(`state ${this.label} is already locked by this run`);
    const info = newHolder(operation);
    const c = await this.connect();
    try {
      await this.ensureSchema(c);
      // A holder that has the advisory lock writes its row right after; one killed a moment ago
      // keeps its session until the server reads the end of its socket. Both last milliseconds:
      // ask again a few times before saying "locked" without a holder to name.
      for (let attempt = 0; ; attempt++) {
        const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key]);
        if (got.rows[0].ok) break;
        const row = await this.lockRow(c);
        if (row?.live) throw this.lockedError(row.info);
        if (attempt >= 20)
          throw new LxplanError('state.locked', `state ${this.label} is locked by another lxplan run that is just starting (it has not said who it is yet)`, {
            hint: 'try again in a moment',
          });
        await new Promise((r) => setTimeout(r, 50));
      }
      // The advisory lock is ours: a row still there is a leftover of a holder whose session ended.
      const prev = await this.lockRow(c);
      await c.query(
        `INSERT INTO ${this.q.locks} (name, info, backend_pid) VALUES ($1, $2, pg_backend_pid())
         ON CONFLICT (name) DO UPDATE SET info = EXCLUDED.info, backend_pid = EXCLUDED.backend_pid, taken_at = now()`,
        [this.workspace, JSON.stringify(info)],
      );
      if (prev) this.notice(takeoverNotice(this.label, prev.info));
    } catch (e) {
      await c.end().catch(() => {});
      throw e instanceof LxplanError ? e : this.ioError(e);
    }
    this.held = c;
    return pgLock(this, c, info, timings, () => {
      this.held = undefined;
    });
  }

  /** Drops the lock held on `c`: its row (if still ours), the advisory lock, the connection. */
  async unlock(c: Client, id: string): Promise<void> {
    try {
      await c.query(`DELETE FROM ${this.q.locks} WHERE name = $1 AND info->>'id' = $2`, [this.workspace, id]);
      await c.query('SELECT pg_advisory_unlock($1::bigint)', [this.key]);
    } catch {
      // The session is gone already (and its advisory lock with it); a row left behind is a leftover.
    } finally {
      await c.end().catch(() => {});
    }
  }

  /**
   * Removes the lock held under `id` (lxplan force-unlock): ends the database session that holds
   * it, if it is still open (a holder whose host vanished keeps it until TCP gives up), and its row.
   */
  async forceUnlock(id: string): Promise<LockInfo> {
    return this.withClient(async (c) => {
      const t = await c.query<{ l: string | null }>('SELECT to_regclass($1) AS l', [this.q.locks]);
      const row = t.rows[0].l ? await this.lockRow(c) : undefined;
      if (!row) throw new LxplanError('usage', `state ${this.label} is not locked`);
      if (row.info.id !== id) throw new LxplanError('usage', `the lock of ${this.label} has ID ${row.info.id}, not ${id}: nothing was removed`);
      if (row.live) {
        const r = await c.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [row.backendPid]).catch((e: Error) => {
          throw new LxplanError('state.io', `cannot end the database session (server pid ${row.backendPid}) holding the lock of ${this.label}: ${e.message}`, {
            hint: 'ending another session needs a superuser, the same role, or pg_signal_backend; nothing was removed',
          });
        });
        if (!r.rows[0]?.ok)
          throw new LxplanError(
            'state.io',
            `cannot end the database session (server pid ${row.backendPid}) holding the lock of ${this.label}; nothing was removed`,
          );
      }
      await c.query(`DELETE FROM ${this.q.locks} WHERE name = $1 AND info->>'id' = $2`, [this.workspace, id]);
      return row.info;
    });
  }

  private lockedError(held: LockInfo): LxplanError {
    return new LxplanError('state.locked', `state ${this.label} is locked by ${describeHolder(held)}`, {
      hint: `wait for that run to finish and try again. A holder that dies loses the lock with its database session (at once when its process is killed; after TCP keepalive when its host vanished); to end it now: lxplan force-unlock ${held.id} --state '${this.label}'`,
    });
  }

  /** A driver or server error as a 'state.io' error naming the server, with the password redacted. */
  ioError(e: unknown): LxplanError {
    if (e instanceof LxplanError) return e;
    const err = e as Error & { code?: string };
    const t = this.target;
    const at = `PostgreSQL server ${t.server}`;
    const what = `for state ${this.label}`;
    const msg = this.redact(err.message ?? String(e));
    switch (err.code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ECONNRESET':
      case 'ENOENT':
        return new LxplanError('state.io', `cannot reach ${at} ${what}: ${msg}`, {
          hint: 'check the host and port in the URL, that the server runs, and that it listens where this machine can reach it',
          cause: e,
        });
      case '28P01':
      case '28000':
        return new LxplanError('state.io', `${at} refused user "${t.user}" ${what}: ${msg}`, {
          hint: "check the user and password (in the URL, PGPASSWORD or ~/.pgpass) and the server's pg_hba.conf",
          cause: e,
        });
      case '3D000':
        return new LxplanError('state.io', `database "${t.database}" does not exist on ${at} ${what}`, {
          hint: `create it (CREATE DATABASE "${t.database}") or name another database in the URL`,
          cause: e,
        });
      case '42501':
        return new LxplanError('state.io', `user "${t.user}" lacks a privilege on ${at} ${what}: ${msg}`, {
          hint: `lxplan makes schema "${t.schema}" with tables states and locks on first use: grant CREATE on the database, or make them once as a user who may`,
          cause: e,
        });
    }
    if (/timeout|terminated/i.test(msg))
      return new LxplanError('state.io', `cannot reach ${at} ${what}: ${msg}`, {
        hint: 'check the host and port in the URL, and that the server runs and answers',
        cause: e,
      });
    return new LxplanError('state.io', `${at} failed ${what}: ${msg}`, { cause: e });
  }

  private redact(text: string): string {
    const p = this.target.password;
    return p.length >= 3 ? text.split(p).join('***') : text;
  }
}

/** What the run that took the lock over from a holder whose session ended says. */
export function takeoverNotice(label: string, dead: LockInfo): string {
  return `The previous holder of the lock of state ${label}, ${describeHolder(dead)}, is gone (its database session ended); its lock was taken over.\n`;
}

/** The lock while held: its connection is checked every updateMs; a broken one marks the lock lost (compromised). */
function pgLock(store: PgStore, client: Client, info: LockInfo, timings: LockTimings, onRelease: () => void): RefreshedLock {
  const lostWith = (e: unknown) =>
    new Error(`the lock of ${store.label} was lost with its database session: ${e instanceof Error ? store.ioError(e).message : String(e)}`);
  const lock = new RefreshedLock(info, timings.updateMs, {
    check: () => client.query('SELECT 1').then(() => undefined, lostWith),
    release: async () => {
      onRelease();
      await store.unlock(client, info.id);
    },
  });
  client.on('error', (e) => lock.lose(lostWith(e)));
  client.on('end', () => {
    if (lock.held) lock.lose(lostWith(new Error('the connection ended')));
  });
  return lock;
}
