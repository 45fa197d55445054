/**
 * A throwaway LXD daemon of its own (LXD only: an Incus daemon starts differently, incusd with
 * INCUS_DIR; the tests using this helper run in the LXD pass of test/run.mjs), for tests that stop, kill or reconfigure a daemon, or that
 * change what is global to one (server config, projects, pools): its own LXD_DIR under the OS
 * temp dir (`lxplan-lxd-*`), its own unix socket, a `dir` storage pool `default` inside that
 * folder and a root disk in its default profile, as `lxd init` gives. No HTTPS listener, no
 * network. Point lxplan at it with `daemon.args` (`--socket`) and `daemon.env` (LXD_SOCKET,
 * LXD_DIR); `kill()` signals only the daemon this helper started (checked against the pid the
 * daemon reports on its own socket), `destroy()` stops it with its containers, unmounts what it
 * mounted and removes its folder. The machine's own daemon is never signalled, stopped or written
 * to: every request of this helper goes to the throwaway socket.
 *
 * A run that dies leaves the folder behind with `owner.json` (host, pid, time): the sweep
 * (`sweepStaleDaemons`, run by 00-sweep.test.ts) tears down the daemons of dead runs the same way.
 *
 * Bridges are the one thing a daemon cannot keep to itself: their interfaces, addresses and
 * firewall rules are the host kernel's. Give any bridge made on a throwaway daemon a unique name
 * and subnet, as for the machine's daemon.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LxdClient } from '../../src/lxd/client.js';
import { knownSocketPaths } from '../../src/lxd/socket.js';

/** Folders of throwaway daemons: `<tmpdir>/lxplan-lxd-XXXXXX`. */
export const DAEMON_PREFIX = 'lxplan-lxd-';
/** A test run never lasts this long: an older daemon is a leftover even if its pid lives (pids are reused). */
const MAX_AGE_MS = 60 * 60 * 1000;

export interface ThrowawayDaemon {
  /** Its LXD_DIR (under the OS temp dir). */
  dir: string;
  /** Its unix socket. */
  socket: string;
  /** The pid of the running daemon (changes on start()). */
  readonly pid: number;
  /** A client on its socket (default project). Closed by destroy(). */
  client: LxdClient;
  /** CLI arguments pointing lxplan/lxapply at it: `--socket <socket>`. */
  args: string[];
  /** Environment pointing anything LXD-aware at it: LXD_DIR and LXD_SOCKET. */
  env: NodeJS.ProcessEnv;
  /** How long the daemon took to answer, and the first-time setup (pool, profile), in ms. */
  timings: { startMs: number; initMs: number; stopMs?: number };
  /** SIGKILL (or `signal`) to this daemon's own process only; resolves once it has exited. Its containers keep running. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the daemon again on the same LXD_DIR (after kill()); resolves when it answers. */
  start(): Promise<void>;
  /** Stops its containers and the daemon, unmounts and removes its folder. Idempotent. */
  destroy(): Promise<void>;
}

interface Owner {
  host: string;
  pid: number;
  created: string;
}

/** Starts a throwaway daemon and initialises it (dir pool `default`, root disk in the default profile). */
export async function throwawayDaemon(): Promise<ThrowawayDaemon> {
  const dir = await mkdtemp(path.join(tmpdir(), DAEMON_PREFIX));
  await chmod(dir, 0o711);
  const owner: Owner = { host: hostname(), pid: process.pid, created: new Date().toISOString() };
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify(owner));
  const socket = path.join(dir, 'unix.socket');
  // Never the machine's daemon: a fresh folder can hold no other daemon's socket.
  if ([...knownSocketPaths(), process.env.LXD_SOCKET, process.env.INCUS_SOCKET].includes(socket))
    throw new Error(`throwaway daemon: ${socket} is the machine's socket`);
  const client = new LxdClient({ socketPath: socket });
  let pid = 0;
  let exited: Promise<void> = Promise.resolve();
  let destroyed: Promise<void> | undefined;

  const launch = async (): Promise<number> => {
    const t0 = Date.now();
    // Detached (its own session), as scripts/lxd-up.sh starts the machine's: a Ctrl-C of the test
    // run does not kill it half-way; destroy() or the sweep stops it.
    const child = spawn('lxd', ['--group', 'root', '--logfile', path.join(dir, 'lxd.log')], {
      env: { ...process.env, LXD_DIR: dir, LXD_SOCKET: socket },
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    for (;;) {
      if (gone) throw new Error(`throwaway daemon exited while starting; see ${path.join(dir, 'lxd.log')}`);
      if (Date.now() - t0 > 60_000) throw new Error('throwaway daemon did not answer within 60s');
      const server = await Promise.race([spawnError, client.request<{ environment: { server_pid?: number } }>('GET', '/1.0').catch(() => undefined)]);
      if (server) {
        // The socket answers: it must be the process started here, not anything else.
        if (server.value.environment.server_pid !== child.pid)
          throw new Error(`throwaway daemon: ${socket} is answered by pid ${server.value.environment.server_pid}, not ${child.pid}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    pid = child.pid!;
    return Date.now() - t0;
  };

  try {
    const startMs = await launch();
    const t1 = Date.now();
    await client.request('POST', '/1.0/storage-pools', { body: { name: 'default', driver: 'dir' } });
    await client.request('PATCH', '/1.0/profiles/default', { body: { devices: { root: { type: 'disk', path: '/', pool: 'default' } } } });
    const daemon: ThrowawayDaemon = {
      dir,
      socket,
      get pid() {
        return pid;
      },
      client,
      args: ['--socket', socket],
      env: { LXD_DIR: dir, LXD_SOCKET: socket },
      timings: { startMs, initMs: Date.now() - t1 },
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (!pid) throw new Error('throwaway daemon: not running');
        const running = pid;
        pid = 0;
        process.kill(running, signal);
        if (!(await within(exited, 30_000))) throw new Error(`throwaway daemon: pid ${running} did not exit after ${signal}`);
      },
      async start() {
        if (pid) throw new Error('throwaway daemon: already running');
        daemon.timings.startMs = await launch();
      },
      destroy() {
        destroyed ??= (async () => {
          const t = Date.now();
          await teardown(dir, client, pid ? exited : undefined);
          daemon.timings.stopMs = Date.now() - t;
        })();
        return destroyed;
      },
    };
    return daemon;
  } catch (e) {
    await teardown(dir, client, pid ? exited : undefined).catch(() => undefined);
    throw e;
  }
}

/**
 * Stops a throwaway daemon and removes every trace of it: its instances force-stopped and its
 * managed networks deleted through its own socket (bridges are the host kernel's), then the
 * shutdown `lxd shutdown` asks for (through that socket too), then any process still naming its folder (the daemon, `[lxc monitor]`, dnsmasq) and
 * their descendants killed, its mounts unmounted, its folder removed.
 */
async function teardown(dir: string, client: LxdClient | undefined, exited?: Promise<void>): Promise<void> {
  const socket = path.join(dir, 'unix.socket');
  const c = client ?? new LxdClient({ socketPath: socket });
  try {
    const server = await c.request<{ environment: { server_pid?: number } }>('GET', '/1.0').then(
      (r) => r.value,
      () => undefined,
    );
    if (server) {
      const instances = await c
        .request<Array<{ name: string; project: string; status: string }>>('GET', '/1.0/instances', { query: { recursion: 1, 'all-projects': true } })
        .then(
          (r) => r.value ?? [],
          () => [],
        );
      await Promise.all(
        instances
          .filter((i) => i.status !== 'Stopped')
          .map((i) =>
            c
              .withProject(i.project)
              .setInstanceState(i.name, { action: 'stop', force: true })
              .catch(() => undefined),
          ),
      );
      const networks = await c.listNetworks().catch(() => []);
      for (const n of networks.filter((x) => x.managed)) await c.deleteNetwork(n.name).catch(() => undefined);
      // What `lxd shutdown` asks, sent to this daemon's own socket: never run as a command, which
      // (a snap's wrapper, say) might pick another LXD_DIR than the one given.
      await c.request('PUT', '/internal/shutdown').catch(() => undefined);
      c.close();
      const pid = server.environment.server_pid;
      if (exited) await within(exited, 30_000);
      else if (pid && processesOf(dir).includes(pid)) await within(gone(pid), 30_000);
    }
  } finally {
    c.close();
  }
  killProcessesOf(dir);
  unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Resolves once process `pid` no longer exists (polled). */
async function gone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits for `p` at most `ms`; true when it settled. The timer also keeps Node's event loop alive
 * meanwhile: the daemon's child process is unref'd, so its exit alone would not.
 */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Processes whose command line names `dir` (the daemon's --logfile, `[lxc monitor] DIR/containers x`, dnsmasq's files), and all their descendants. */
function processesOf(dir: string): number[] {
  const parent = new Map<number, number>();
  const mine = new Set<number>();
  for (const e of readdirSync('/proc')) {
    const p = Number(e);
    if (!Number.isInteger(p) || p === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(p, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(`${dir}/`) || cmd.endsWith(dir) || cmd.includes(`${dir} `)) mine.add(p);
    } catch {
      /* exited meanwhile */
    }
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of parent)
      if (!mine.has(p) && mine.has(pp)) {
        mine.add(p);
        grew = true;
      }
  }
  return [...mine];
}

function killProcessesOf(dir: string): void {
  for (let round = 0; round < 20; round++) {
    const left = processesOf(dir);
    if (left.length === 0) return;
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('sleep', ['0.05']);
  }
}

/** Unmounts everything mounted under `dir` (shmounts, devlxd), deepest first. */
function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((p): p is string => !!p && p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
}

/** Why a throwaway daemon folder is a leftover, or undefined while its run may still be going. */
export function staleDaemonReason(owner: Partial<Owner> | undefined, now = Date.now(), host = hostname()): string | undefined {
  const since = Date.parse(owner?.created ?? '');
  if (!owner || !Number.isFinite(since) || !Number.isInteger(owner.pid)) return 'no owner recorded';
  if (now - since > MAX_AGE_MS) return 'older than an hour';
  if (owner.host !== host || owner.pid === process.pid) return undefined;
  try {
    process.kill(owner.pid!, 0);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? undefined : `its test process ${owner.pid} is gone`;
  }
}

/** Stops the daemon of an LXD_DIR a test made (not the machine's) and removes every trace of it, as destroy() does. */
export function teardownDaemonDir(dir: string): Promise<void> {
  if (!dir.startsWith(`${tmpdir()}/`)) return Promise.reject(new Error(`teardownDaemonDir: ${dir} is not a test's folder`));
  return teardown(dir, undefined);
}

/** Tears down the throwaway daemons of dead runs (see staleDaemonReason); returns their folders. */
export async function sweepStaleDaemons(base = tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const e of readdirSync(base)) {
    if (!e.startsWith(DAEMON_PREFIX)) continue;
    const dir = path.join(base, e);
    const owner = await readFile(path.join(dir, 'owner.json'), 'utf8').then(
      (t) => JSON.parse(t) as Owner,
      () => undefined,
    );
    // A folder without owner.json may be one being made right now: only age tells.
    if (!owner && Date.now() - statSync(dir).mtimeMs < MAX_AGE_MS) continue;
    if (staleDaemonReason(owner) === undefined) continue;
    await teardown(dir, undefined);
    swept.push(dir);
  }
  return swept;
}
