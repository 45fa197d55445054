/**
 * One run of lxplan: manifests loaded and checked, state opened (and locked), LXD read,
 * plan computed. The commands call these; they hold no logic of their own.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LxdClient } from '../lxd/client.js';
import { transportFor, type DaemonChoice } from '../lxd/connect.js';
import { LxplanError } from '../errors.js';
import { loadManifests } from '../manifest/index.js';
import { plan as makePlan, type Plan, type PlanOptions } from '../planner/index.js';
import { resolveRemoteFingerprints } from '../resources/image/source.js';
import { registry } from '../resources/registry.js';
import { readLiveIn } from '../resources/live-project.js';
import { instancesWithSnapshots } from '../resources/snapshot/spec.js';
import type { LiveSnapshot } from '../resources/spec.js';
import type { Manifest } from '../resources/types.js';
import { forceUnlock, daemonRecord, StateManager, type LockInfo } from '../state/index.js';
import { DaemonStore, daemonStateName } from '../state/daemon-store.js';
import { FileStore } from '../state/file-store.js';
import { isPgSpec, PgStore, redactUrl } from '../state/pg-store.js';
import type { StateStore } from '../state/store.js';
import { oneDaemonOf, perRemoteState, resolveDaemon, resolveStateSpec } from './daemon-scope.js';
import { resolveProject } from './project-scope.js';

export const STATE_FILE = 'lxplan.state.json';

export interface ConnectOptions {
  /** State file; default lxplan.state.json next to the manifests. */
  statePath?: string;
  /** LXD project; default "default". */
  project?: string;
  /** LXD unix socket; default from LXD_SOCKET / LXD_DIR / the usual places. */
  socket?: string;
  /** A remote daemon over HTTPS, by name (src/lxd/connect.ts); absent or "local": the unix socket. */
  remote?: string;
  /** The daemon as the manifests decide it (daemon-scope.ts): overrides socket and remote when given. */
  daemon?: DaemonChoice;
  /** Told what the run should know but is not an error (a dead run's lock taken over). */
  notice?: (text: string) => void;
}

/** What a run that took a dead holder's lock over tells its user. */
export function takenOverNotice(label: string, dead: LockInfo): string {
  return `Took over the lock of ${label} from pid ${dead.pid} on this host (${dead.operation} by ${dead.user}, since ${dead.since}; lock ID ${dead.id}): that process is no longer running.\n`;
}

export interface SessionOptions extends ConnectOptions {
  /** A manifest directory or file. */
  path: string;
  /** Who holds the lock, as the lock info says. */
  operation: 'plan' | 'apply' | 'refresh' | 'import';
  planOptions?: PlanOptions;
}

export interface Session {
  manifest: Manifest;
  client: LxdClient;
  state: StateManager;
  statePath: string;
  live: LiveSnapshot;
  plan: Plan;
  close: () => Promise<void>;
}

export async function defaultStatePath(manifestPath: string): Promise<string> {
  const st = await stat(manifestPath).catch(() => undefined);
  return path.join(st?.isFile() ? path.dirname(manifestPath) : manifestPath, STATE_FILE);
}

/** What each kind computes from the declared objects' local files before a plan (its live entry's prepare: the fingerprint LXD will give an image made from files). */
export async function computeFingerprints(m: Manifest): Promise<void> {
  await Promise.all(registry.map(async (e) => e.live.prepare?.(m)));
}

/** Loads and checks the manifests only: nothing is read from LXD. In a directory spanning several daemons, `remote` chooses whose objects (absent: none, and `spans` lists them). */
export async function loadChecked(manifestPath: string, remote?: string): Promise<Manifest> {
  const m = await loadManifests(manifestPath, remote !== undefined && remote !== '' ? { remote } : {});
  if (m.spans && !m.remote) return m; // only the daemons' names: each is loaded on its own
  await computeFingerprints(m);
  return m;
}

/** Notices of the state stores (a dead holder's lock taken over): to stderr, as the CLI's notes go. */
/** Where a store's notices go when the caller gives no `notice` (library use): stderr. */
const stderrNotice = (text: string) => {
  process.stderr.write(text);
};

/** Where `--state` says the state is: a file, `lxd:NAME` on the daemon the run talks to, or a `postgres://` URL. */
export function stateStore(statePath: string, client: LxdClient | undefined, opts: ConnectOptions): StateStore {
  const storeNotice = opts.notice ?? stderrNotice;
  if (isPgSpec(statePath)) return new PgStore(statePath, storeNotice);
  const name = daemonStateName(statePath);
  if (name === undefined) return new FileStore(statePath);
  if (!client) throw new Error(`state ${statePath} is kept on a daemon: a client is needed`);
  return new DaemonStore(client.withProject('default'), name, opts.remote && opts.remote !== 'local' ? `remote ${opts.remote}` : client.endpoint, storeNotice);
}

/** `fn` on the store `statePath` names, connected to the daemon first when it is kept there (lxd:NAME), and disconnected after. */
export async function withStateStore<T>(statePath: string, opts: ConnectOptions, fn: (store: StateStore) => Promise<T>): Promise<T> {
  if (daemonStateName(statePath) === undefined) return fn(stateStore(statePath, undefined, opts));
  const client = new LxdClient({ transport: await transportFor({ socket: opts.socket, remote: opts.remote }) });
  try {
    return await fn(stateStore(statePath, client, opts));
  } finally {
    client.close();
  }
}

/** Removes a dead run's lock, by its ID: of a state file, of a state kept on the daemon, or in PostgreSQL (connected to without a lock). */
export async function forceUnlockState(statePath: string, id: string, opts: ConnectOptions): Promise<LockInfo | undefined> {
  if (!isPgSpec(statePath) && daemonStateName(statePath) === undefined) return forceUnlock(statePath, id);
  return withStateStore(statePath, opts, (store) => (store as DaemonStore | PgStore).forceUnlock(id));
}

/** Locks the state and connects to LXD; on failure, releases what it took. */
export async function connect(
  statePath: string,
  operation: string,
  opts: ConnectOptions,
): Promise<{ state: StateManager; client: LxdClient; close: () => Promise<void> }> {
  const transport = await transportFor(opts.daemon ?? { socket: opts.socket, remote: opts.remote });
  const client = new LxdClient({ project: opts.project, transport });
  let state: StateManager;
  try {
    state = await StateManager.openStore(stateStore(statePath, client, opts), { operation, lock: true });
  } catch (e) {
    client.close();
    throw e;
  }
  const dead = state.lockTakenOver;
  if (dead) opts.notice?.(takenOverNotice(statePath, dead));
  const close = async () => {
    client.close();
    await state.release();
  };
  return { state, client, close };
}

/**
 * What every command that reads manifests does first: resolve the project the one way
 * (project-scope.ts: --project / LXPLAN_PROJECT, the manifests' project:, default), lock the
 * state (next to the manifests, or --state) and tie it to that project, and connect there.
 */
export async function connectScoped(
  manifestPath: string,
  manifest: Manifest,
  operation: string,
  opts: ConnectOptions,
): Promise<{ project: string; remote?: string; statePath: string; state: StateManager; client: LxdClient; close: () => Promise<void> }> {
  oneDaemonOf(manifest, operation === 'plan' || operation === 'apply' ? operation : `lxplan ${operation}`);
  const project = resolveProject(opts.project, manifest);
  manifest.project = project;
  const daemon = resolveDaemon(opts, manifest);
  const spec = resolveStateSpec(opts.statePath, manifest) ?? (await defaultStatePath(manifestPath));
  const statePath = manifest.spans && manifest.remote ? perRemoteState(spec, manifest.remote) : spec;
  const c = await connect(statePath, operation, { ...opts, project, daemon, remote: daemon.remote });
  try {
    c.state.bindProject(project);
    c.state.bindDaemon(daemonRecord(await c.client.server(), c.client.endpoint)); // a state belongs to one server (src/state/daemon-binding.ts)
  } catch (e) {
    await c.close();
    throw e;
  }
  return { ...c, project, statePath, ...(daemon.remote && daemon.remote !== 'local' ? { remote: daemon.remote } : {}) };
}

/** A word as a shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The path and flags another command needs to work on what this run works on, as they follow
 * `lxplan import KIND NAME` in a hint: the manifest path (unless "."), --state and --project
 * when this run was given them (--project unless the manifests' `project:` says the same).
 */
export function commandArgs(opts: { path: string; statePath?: string; project?: string }, manifestProject: string | undefined): string {
  const words = [
    ...(opts.path !== '.' ? [opts.path] : []),
    ...(opts.statePath ? ['--state', redactUrl(opts.statePath)] : []),
    ...(opts.project && opts.project !== manifestProject ? ['--project', opts.project] : []),
  ];
  return words.map((w) => ` ${shellWord(w)}`).join('');
}

export async function openSession(opts: SessionOptions, loaded?: Manifest): Promise<Session> {
  const manifest = loaded ?? (await loadChecked(opts.path, opts.remote));
  await resolveRemoteFingerprints(manifest);
  // Before connectScoped sets manifest.project: the hint names --project only when the manifests do not.
  const importArgs = commandArgs(opts, manifest.project);
  const { project, remote, statePath, state, client, close } = await connectScoped(opts.path, manifest, opts.operation, opts);
  try {
    const live = await readLiveIn(client, manifest, instancesWithSnapshots(manifest, state.state), state.state);
    const plan = makePlan({ manifest, live, state: state.state, options: opts.planOptions, importArgs });
    plan.createdAt = new Date().toISOString();
    plan.project = project;
    // In a directory spanning several daemons, the local one is named too: its saved plan must find its files again.
    if (remote) plan.remote = remote;
    else if (manifest.spans) plan.remote = 'local';
    plan.manifestPath = opts.path;
    plan.statePath = redactUrl(statePath); // a postgres:// URL's password never goes into a saved plan
    return { manifest, client, state, statePath, live, plan, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The sessions of a plan or an apply: one; or, in a directory whose files name several daemons
 * (`remote:`) and without --remote, one per daemon, opened side by side (each reads its daemon
 * and locks its own state: daemon-scope.ts perRemoteState). If one cannot be opened, those that
 * were are closed again and its error is thrown.
 */
export async function openSessions(opts: SessionOptions): Promise<Session[]> {
  const manifest = await loadChecked(opts.path, opts.remote);
  if (!manifest.spans || manifest.remote) return [await openSession(opts, manifest)];
  if (opts.planOptions?.targets?.length)
    throw new LxplanError('usage', `--target in a directory whose files name several daemons (${manifest.spans.join(', ')}): add --remote to say on which`);
  // --socket is the local daemon's: the remotes' sessions go over HTTPS.
  const opened = await Promise.allSettled(
    manifest.spans.map((remote) => openSession({ ...opts, remote, ...(remote !== 'local' ? { socket: undefined } : {}) })),
  );
  const failed = opened.find((o) => o.status === 'rejected');
  if (failed) {
    await Promise.all(opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value.close()] : [])));
    throw failed.reason;
  }
  return opened.map((o) => (o as PromiseFulfilledResult<Session>).value);
}
