/**
 * What the benchmark stands on: timing child processes, medians, a small LXD REST client of
 * its own (so setting up and cleaning up never depends on the code being measured), throwaway
 * bench projects, and a frozen copy of the built lxplan.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOCKET = process.env.LXD_SOCKET || path.join(process.env.LXD_DIR || '/var/lib/lxd', 'unix.socket');

// --- numbers ---

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** 1234 -> "1.23 s", 87 -> "87 ms". */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a';
}

export function fmtMB(kb) {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a';
}

// --- processes ---

/**
 * Runs a command and measures its wall time from spawn to exit. With `rss: true` and GNU time
 * installed, the command runs under /usr/bin/time and its peak RSS (KB) is returned too.
 */
export async function timed(cmd, args, opts = {}) {
  let argv = [cmd, ...args];
  let rssFile;
  if (opts.rss && HAVE_GNU_TIME) {
    rssFile = path.join(await scratch(), `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    argv = ['/usr/bin/time', '-f', '%M', '-o', rssFile, ...argv];
  }
  const cpu0 = await cpuTicks();
  const started = process.hrtime.bigint();
  const r = await run(argv[0], argv.slice(1), opts);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu1 = await cpuTicks();
  // Share of the machine's CPU time (all cores) that was busy meanwhile, whoever used it.
  const cpuBusy = cpu0 && cpu1 ? 1 - (cpu1.idle - cpu0.idle) / Math.max(1, cpu1.total - cpu0.total) : undefined;
  let maxRssKb;
  if (rssFile) {
    maxRssKb = Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').pop());
    await rm(rssFile, { force: true });
  }
  return { ...r, ms, maxRssKb, cpuBusy };
}

/** The machine's CPU counters from /proc/stat (idle includes iowait); undefined off Linux. */
async function cpuTicks() {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0];
  if (!line.startsWith('cpu ')) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
}

const children = new Map(); // pid -> promise of its end

/**
 * Runs a command, collecting its output; never throws on a non-zero exit (see check()).
 * Each command gets its own process group, so stopChildren() can end it with everything it
 * started (xargs and its lxc processes) before the bench cleans up.
 */
export function run(cmd, args, opts = {}) {
  let child;
  const done = new Promise((resolve, reject) => {
    child = spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, cmd: [cmd, ...args].join(' ') }));
  });
  if (child.pid) {
    children.set(child.pid, done);
    done.finally(() => children.delete(child.pid)).catch(() => undefined);
  }
  return done;
}

/** Ends the commands still running (their whole process groups) and waits for them. */
export async function stopChildren() {
  for (const pid of children.keys()) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await Promise.race([Promise.allSettled([...children.values()]), new Promise((r) => setTimeout(r, 10_000))]);
}

/** Throws with the command's output when it did not exit with one of `codes`. */
export function check(r, codes = [0]) {
  if (!codes.includes(r.code)) {
    const tail = (s) => s.trim().split('\n').slice(-15).join('\n');
    throw new Error(`command failed (exit ${r.code}): ${r.cmd}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`);
  }
  return r;
}

export async function sh(script, opts) {
  return check(await run('bash', ['-c', script], opts));
}

export let HAVE_GNU_TIME = false;
export async function detectTools() {
  HAVE_GNU_TIME = (await run('/usr/bin/time', ['-f', '%M', 'true']).catch(() => ({ code: 1 }))).code === 0;
  const ansible = await run('ansible-playbook', ['--version']).catch(() => ({ code: 1, stdout: '' }));
  let ansibleModule = false;
  if (ansible.code === 0) {
    ansibleModule = (await run('ansible-doc', ['-t', 'module', 'community.general.lxd_container']).catch(() => ({ code: 1 }))).code === 0;
  }
  return {
    gnuTime: HAVE_GNU_TIME,
    ansible: ansible.code === 0 && ansibleModule ? ansible.stdout.split('\n')[0].trim() : undefined,
  };
}

let scratchDir;
/** One temporary folder for the whole run; removed by removeScratch(). */
export async function scratch() {
  scratchDir ??= await mkdtemp(path.join(tmpdir(), 'lxplan-bench-'));
  return scratchDir;
}
export async function removeScratch() {
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
}

/**
 * A frozen copy of the built lxplan (bin, dist/src, schemas, package.json, oclif manifest,
 * node_modules linked), so a rebuild by someone else during the run does not change what is
 * measured halfway through.
 */
export async function snapshotBuild() {
  const dir = path.join(await scratch(), 'lxplan');
  await mkdir(dir, { recursive: true });
  for (const p of ['bin', 'dist/src', 'schemas', 'package.json', 'oclif.manifest.json']) {
    await cp(path.join(ROOT, p), path.join(dir, p), { recursive: true }).catch((e) => {
      if (p !== 'oclif.manifest.json') throw e;
    });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // The copied oclif manifest may be older than dist/ (npm run build skips it when tsc reports
  // errors): make the copy's own, as `npm run build` would, so help and flags match the code.
  check(await run(process.execPath, [path.join(ROOT, 'node_modules/oclif/bin/run.js'), 'manifest'], { cwd: dir }));
  return dir;
}

/** Runs `fn` over `items`, at most `n` at a time. */
export async function pool(n, items, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// --- LXD over its unix socket (setup, checks and clean-up only) ---

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function closeLxd() {
  agent.destroy();
}

function rawRequest(method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      {
        agent,
        socketPath: SOCKET,
        method,
        path: urlPath,
        headers: { host: 'lxd', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** One REST call; waits for background operations; throws on errors (err.status is the HTTP status). */
export async function lxd(method, urlPath, body) {
  const res = await rawRequest(method, urlPath, body);
  const env = res.json;
  if (env.type === 'error' || res.status >= 400) throw Object.assign(new Error(`LXD ${method} ${urlPath}: ${env.error}`), { status: res.status });
  if (env.type !== 'async') return env.metadata;
  const op = env.operation;
  for (;;) {
    const w = await rawRequest('GET', `${op}/wait?timeout=60`);
    const m = w.json.metadata;
    if (w.status >= 400 || w.json.type === 'error') throw new Error(`LXD ${method} ${urlPath}: ${w.json.error}`);
    if (m.status_code >= 400) throw new Error(`LXD ${method} ${urlPath}: ${m.err || m.status}`);
    if (m.status_code >= 200) return m.metadata;
  }
}

const q = (project, extra = '') => `?project=${encodeURIComponent(project)}${extra}`;

export function listInstances(project) {
  return lxd('GET', `/1.0/instances${q(project, '&recursion=1')}`);
}

export async function lxdVersion() {
  const s = await lxd('GET', '/1.0');
  return s.environment?.server_version ?? 'unknown';
}

// --- bench projects ---

export const PROJECT_PREFIX = 'bench-';
const OWNER_PID = 'user.lxplan.bench.pid';
const OWNER_HOST = 'user.lxplan.bench.host';
const OWNER_SINCE = 'user.lxplan.bench.created';
const live = new Set();

/**
 * A new project with its own images and profiles, its default profile holding a root disk on
 * the default pool, and the busybox image imported under the alias `busybox` (unless
 * `image: false`). Created with lxc, as a user would. Marked with who made it, so a later
 * run can sweep the leftovers of a crashed one and nothing else.
 */
export async function benchProject(tag, imageDir, { image = true } = {}) {
  const name = `${PROJECT_PREFIX}${tag}-${Math.random().toString(16).slice(2, 8)}`;
  live.add(name);
  await sh(
    `lxc project create ${name} -c features.images=true -c features.profiles=true ` +
      `-c ${OWNER_PID}=${process.pid} -c ${OWNER_HOST}=${hostname()} -c ${OWNER_SINCE}=${new Date().toISOString()} >/dev/null`,
  );
  await sh(`lxc profile device add default root disk path=/ pool=default --project ${name} >/dev/null`);
  if (image) {
    await sh(`lxc image import ${imageDir}/meta.tar.gz ${imageDir}/rootfs.tar.gz --alias busybox --project ${name} >/dev/null`);
  }
  return name;
}

/**
 * Deletes everything in a bench project, then the project. Missing things are fine; an instance
 * busy with another operation (a cleanup racing a command that was just stopped) is retried.
 */
export async function purgeProject(name) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await purgeOnce(name);
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

async function purgeOnce(name) {
  if (!name.startsWith(PROJECT_PREFIX)) throw new Error(`refusing to purge ${name}: not a bench project`);
  const gone = (e) => {
    if (e.status !== 404) throw e;
  };
  let instances;
  try {
    instances = await listInstances(name);
  } catch (e) {
    live.delete(name);
    return gone(e);
  }
  await pool(8, instances, async (i) => {
    const p = `/1.0/instances/${encodeURIComponent(i.name)}${q(name)}`;
    if (i.status !== 'Stopped') {
      await lxd('PUT', `/1.0/instances/${encodeURIComponent(i.name)}/state${q(name)}`, { action: 'stop', force: true, timeout: -1 }).catch(() => undefined);
    }
    await lxd('DELETE', p).catch(gone);
  });
  for (const img of await lxd('GET', `/1.0/images${q(name, '&recursion=1')}`).catch(() => [])) {
    await lxd('DELETE', `/1.0/images/${img.fingerprint}${q(name)}`).catch(gone);
  }
  for (const p of await lxd('GET', `/1.0/profiles${q(name, '&recursion=1')}`).catch(() => [])) {
    if (p.name !== 'default') await lxd('DELETE', `/1.0/profiles/${encodeURIComponent(p.name)}${q(name)}`).catch(gone);
  }
  await lxd('DELETE', `/1.0/projects/${encodeURIComponent(name)}`).catch(gone);
  live.delete(name);
}

export async function purgeAllLive() {
  for (const name of [...live]) {
    try {
      await purgeProject(name);
    } catch (e) {
      process.stderr.write(`bench: could not delete project ${name}: ${e.message}\n`);
    }
  }
}

/** Deletes bench projects left by crashed runs: made on this host by a process that is gone, or older than 6 hours. */
export async function sweepStale() {
  const swept = [];
  for (const p of await lxd('GET', '/1.0/projects?recursion=1')) {
    const c = p.config ?? {};
    if (!p.name.startsWith(PROJECT_PREFIX) || !c[OWNER_PID]) continue;
    const old = Date.now() - Date.parse(c[OWNER_SINCE] ?? '') > 6 * 3600_000;
    const dead = c[OWNER_HOST] === hostname() && !pidAlive(Number(c[OWNER_PID]));
    if (old || dead) {
      await purgeProject(p.name);
      swept.push(p.name);
    }
  }
  return swept;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// --- manifests ---

/**
 * A manifest of `n` containers named c-1..c-n, from the image alias `busybox`, with limits.
 * `image: 'managed'` declares the image in the manifest (lxapply uploads it and the plan
 * hashes its tarballs); otherwise the instances use the alias already in the project.
 * `stoppedFrom`: containers with a number at or above it are kept stopped.
 */
export function manifestText({ n, memory = '128MB', cpu = '1', imageDir, stoppedFrom = Infinity }) {
  const lines = [];
  if (imageDir) {
    lines.push('images:', '  busybox:', '    source:', `      metadata: ${imageDir}/meta.tar.gz`, `      rootfs: ${imageDir}/rootfs.tar.gz`);
  }
  if (n === 0) {
    lines.push('instances: {}');
  } else {
    lines.push('instances:');
    for (let i = 1; i <= n; i++) {
      lines.push(`  c-${i}:`, '    image: busybox', `    limits: {memory: ${memory}, cpu: ${cpu}}`);
      if (i >= stoppedFrom) lines.push('    state: stopped');
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function writeManifest(dir, opts) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'lxplan.yaml'), manifestText(opts));
}

/** Checks that project holds exactly `n` containers c-*, `running` of them running, all with limits.memory = memory. */
export async function expectInstances(project, { n, running = n, memory }) {
  const list = await listInstances(project);
  const problems = [];
  if (list.length !== n) problems.push(`${list.length} instances instead of ${n}`);
  const up = list.filter((i) => i.status === 'Running').length;
  if (up !== running) problems.push(`${up} running instead of ${running}`);
  if (memory) {
    const wrong = list.filter((i) => i.config['limits.memory'] !== memory).map((i) => i.name);
    if (wrong.length) problems.push(`limits.memory is not ${memory} on ${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ', ...' : ''}`);
  }
  if (problems.length) throw new Error(`project ${project}: ${problems.join('; ')}`);
}

// --- counting what a command asks LXD ---

/**
 * A unix socket that forwards every connection to LXD's and notes each HTTP request line that
 * goes through (method and path). Point a command at it (`--socket`) to see exactly what it
 * asked LXD, without changing the command. Adds a hop: not for timed runs. `upstreamSocket`: another
 * daemon's socket (a cluster member's), default the machine's LXD.
 */
export async function countingProxy(upstreamSocket = SOCKET) {
  const net = await import('node:net');
  const socketPath = path.join(await scratch(), `proxy-${Math.random().toString(36).slice(2)}.sock`);
  const requests = [];
  const requestLine = /(?:^|\r\n)(GET|HEAD|POST|PUT|PATCH|DELETE) (\/\S*) HTTP\/1\.[01]\r\n/g;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamSocket);
    client.on('data', (chunk) => {
      for (const m of chunk.toString('latin1').matchAll(requestLine)) requests.push(`${m[1]} ${m[2]}`);
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((resolve, reject) => server.listen(socketPath, resolve).on('error', reject));
  return {
    socketPath,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
