/**
 * The many-hosts rows of `npm run bench` (issue 13): what a plan and an apply cost when lxplan
 * talks to a daemon over HTTPS (the second LXD, scripts/lxd2-up.sh, with the state kept on it:
 * the hosted-CI case) and to a two-member cluster (scripts/cluster-up.sh, through m1's socket,
 * the instances spread over m1 and m2 with target:). Each row starts what it needs with those
 * scripts, or is skipped saying why. Everything is made in a bench project of that daemon and
 * deleted afterwards, with the client certificate the HTTPS row trusted.
 *
 * Per size M: lxapply growing to M instances (created, up to RUNNING of them started), the no-op
 * `lxplan --detailed-exitcode` over M (CLI wall time and peak RSS, median of runs), and the
 * requests that plan sends (in-process counter: bench/session-requests.mjs; on the cluster also
 * the CLI's own requests through a counting proxy in front of m1's socket).
 */
import http from 'node:http';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, countingProxy, median, pool, ROOT, run, scratch, timed, writeManifest } from './lib.mjs';

const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const LXD2_URL = `https://${process.env.LXD2_ADDRESS ?? '127.0.0.1:8444'}`;
const M1_DIR = process.env.CLUSTER_M1_DIR ?? '/var/lib/lxd-m1';

/** A tiny REST client for one daemon's unix socket (lib.mjs's talks to the machine's LXD only). */
function lxdAt(socket) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const raw = (method, urlPath, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          agent,
          socketPath: socket,
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
  const lxd = async (method, urlPath, body) => {
    const res = await raw(method, urlPath, body);
    if (res.json.type === 'error' || res.status >= 400) throw Object.assign(new Error(`LXD ${method} ${urlPath}: ${res.json.error}`), { status: res.status });
    if (res.json.type !== 'async') return res.json.metadata;
    for (;;) {
      const w = await raw('GET', `${res.json.operation}/wait?timeout=60`);
      const m = w.json.metadata;
      if (w.status >= 400 || w.json.type === 'error') throw new Error(`LXD ${method} ${urlPath}: ${w.json.error}`);
      if (m.status_code >= 400) throw new Error(`LXD ${method} ${urlPath}: ${m.err || m.status}`);
      if (m.status_code >= 200) return m.metadata;
    }
  };
  return { lxd, close: () => agent.destroy(), socket };
}

const q = (project, extra = '') => `?project=${encodeURIComponent(project)}${extra}`;

/** Answers on its socket, else started by `script`; undefined, or why not. */
async function ensureDaemon(dir, script, log) {
  const socket = path.join(dir, 'unix.socket');
  const answers = async () => {
    if (!existsSync(socket)) return false;
    const c = lxdAt(socket);
    try {
      await c.lxd('GET', '/1.0');
      return true;
    } catch {
      return false;
    } finally {
      c.close();
    }
  };
  if (await answers()) return undefined;
  log(`starting it: bash ${script}`);
  const r = await run('bash', [path.join(ROOT, script)]);
  if (r.code !== 0) return `bash ${script} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop()}`;
  return (await answers()) ? undefined : `${socket} does not answer after ${script}`;
}

/** A bench project on a daemon: images and profiles of its own, a root disk in its default profile. */
async function makeProject(c, tag) {
  const name = `bench-${tag}-${Math.random().toString(16).slice(2, 8)}`;
  await c.lxd('POST', '/1.0/projects', {
    name,
    description: 'lxplan bench: safe to delete when no bench runs',
    config: {
      'features.images': 'true',
      'features.profiles': 'true',
      'user.lxplan.bench.pid': String(process.pid),
      'user.lxplan.bench.host': hostname(),
      'user.lxplan.bench.created': new Date().toISOString(),
    },
  });
  await c.lxd('PATCH', `/1.0/profiles/default${q(name)}`, { devices: { root: { type: 'disk', path: '/', pool: 'default' } } });
  return name;
}

async function purge(c, name) {
  const gone = (e) => {
    if (e.status !== 404) throw e;
  };
  const list = await c.lxd('GET', `/1.0/instances${q(name, '&recursion=1')}`).catch(() => []);
  await pool(8, list, async (i) => {
    if (i.status !== 'Stopped')
      await c.lxd('PUT', `/1.0/instances/${encodeURIComponent(i.name)}/state${q(name)}`, { action: 'stop', force: true, timeout: -1 }).catch(() => undefined);
    await c.lxd('DELETE', `/1.0/instances/${encodeURIComponent(i.name)}${q(name)}`).catch(gone);
  });
  for (const img of await c.lxd('GET', `/1.0/images${q(name, '&recursion=1')}`).catch(() => []))
    await c.lxd('DELETE', `/1.0/images/${img.fingerprint}${q(name)}`).catch(gone);
  for (const p of await c.lxd('GET', `/1.0/profiles${q(name, '&recursion=1')}`).catch(() => []))
    if (p.name !== 'default') await c.lxd('DELETE', `/1.0/profiles/${encodeURIComponent(p.name)}${q(name)}`).catch(gone);
  await c.lxd('DELETE', `/1.0/projects/${encodeURIComponent(name)}`).catch(gone);
}

/** The manifest of the scale rows, with `target:` alternating over `members` when given. */
async function writeSpread(dir, { n, imageDir, running, members }) {
  await writeManifest(dir, { n, imageDir, stoppedFrom: running + 1 });
  if (!members) return;
  const file = path.join(dir, 'lxplan.yaml');
  let i = 0;
  const text = (await readFile(file, 'utf8')).replace(/^ {4}image: busybox$/gm, (line) => `${line}\n    target: ${members[i++ % members.length]}`);
  await (await import('node:fs/promises')).writeFile(file, text);
}

/**
 * One row set: grow to each size, plan it. `cli(args, extra)` runs lxplan/lxapply against the
 * daemon; `inProcess()` counts one plan's requests.
 */
async function rows({ label, c, snap, image, sizes, runs, running, members, args, env, state, log, proxySocket }) {
  const project = await makeProject(c, label);
  const dir = path.join(await scratch(), `many-${label}`);
  const lxplan = (a, o = {}) => timed(process.execPath, [path.join(snap, 'bin/lxplan.js'), ...a], { env, ...o });
  const lxapply = (a, o = {}) => timed(process.execPath, [path.join(snap, 'bin/lxapply.js'), '--auto-approve', ...a], { env, ...o });
  const out = [];
  let have = 0;
  try {
    for (const size of sizes) {
      const up = Math.min(size, running);
      await writeSpread(dir, { n: size, imageDir: image, running, members });
      log(`${label}: growing to ${size} instances (${up} running)`);
      const grow = check(await lxapply(['--project', project, ...args, dir]));
      const list = await c.lxd('GET', `/1.0/instances${q(project, '&recursion=1')}`);
      if (list.length !== size) throw new Error(`${label}: ${list.length} instances instead of ${size}`);
      const where = {};
      for (const i of list) where[i.location || 'none'] = (where[i.location || 'none'] ?? 0) + 1;
      const plans = [];
      const rss = [];
      for (let k = 0; k < runs; k++) {
        const r = check(await lxplan(['--project', project, '--detailed-exitcode', ...args, dir], { rss: true }));
        plans.push(r.ms);
        rss.push(r.maxRssKb);
      }
      const ip = check(
        await run(process.execPath, [path.join(ROOT, 'bench/session-requests.mjs'), snap, dir, state, project, ...(proxySocket ? [proxySocket] : [])], { env }),
      );
      const one = JSON.parse(ip.stdout.trim().split('\n').pop());
      if (one.summary.add + one.summary.change + one.summary.destroy !== 0)
        throw new Error(`${label}: the plan over ${size} is not a no-op: ${JSON.stringify(one.summary)}`);
      let cliRequests;
      if (proxySocket) {
        const proxy = await countingProxy(proxySocket);
        try {
          check(
            await lxplan([
              '--project',
              project,
              '--detailed-exitcode',
              ...args.filter((x, i, a) => x !== '--socket' && a[i - 1] !== '--socket'),
              '--socket',
              proxy.socketPath,
              dir,
            ]),
          );
          cliRequests = [...proxy.requests];
        } finally {
          await proxy.close();
        }
      }
      out.push({
        size,
        running: up,
        added: size - have,
        growMs: grow.ms,
        planMs: median(plans),
        planSamples: plans,
        rssKb: median(rss),
        requests: one.requests,
        inProcessMs: one.ms,
        cliRequests,
        where,
      });
      have = size;
    }
    return { project, rows: out };
  } finally {
    log(`${label}: deleting the ${have} instances`);
    await purge(c, project).catch((e) => log(`${label}: could not delete project ${project}: ${e.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Over HTTPS to the second LXD, secrets in the environment only, state kept on it (lxd:NAME). */
export async function remoteSection({ snap, image, sizes, runs, running, log }) {
  const why = await ensureDaemon(LXD2_DIR, 'scripts/lxd2-up.sh', log);
  if (why) return { skipped: `the second LXD is not there: ${why}` };
  const c = lxdAt(path.join(LXD2_DIR, 'unix.socket'));
  const { ensureClientIdentity } = await import(pathToFileURL(path.join(snap, 'dist/src/lxd/trust.js')).href);
  const { fingerprintOf } = await import(pathToFileURL(path.join(snap, 'dist/src/lxd/tls.js')).href);
  const id = await ensureClientIdentity(path.join(await scratch(), 'remote-client'));
  const clientFp = fingerprintOf(id.certificate);
  const stateName = `bench-${Math.random().toString(16).slice(2, 8)}`;
  try {
    const server = await c.lxd('GET', '/1.0');
    await c.lxd('POST', '/1.0/certificates', {
      type: 'client',
      name: `lxplan-bench-${process.pid}`,
      certificate: id.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''),
    });
    const env = {
      LXPLAN_REMOTE_URL: LXD2_URL,
      LXPLAN_SERVER_FINGERPRINT: server.environment.certificate_fingerprint,
      LXPLAN_CLIENT_CERT: id.certificate,
      LXPLAN_CLIENT_KEY: id.key,
      LXPLAN_REMOTE_NAME: 'lxd2',
      LXPLAN_STATE: `lxd:${stateName}`,
      LXPLAN_CONF: path.join(await scratch(), 'no-conf'),
      LXD_CONF: path.join(await scratch(), 'no-conf'),
    };
    const got = await rows({ label: 'https', c, snap, image, sizes, runs, running, args: [], env, state: `lxd:${stateName}`, log });
    return { daemon: `LXD ${server.environment.server_version} at ${LXD2_URL}`, ...got };
  } finally {
    await c.lxd('DELETE', `/1.0/certificates/${clientFp}`).catch(() => undefined);
    await purge(c, `lxplan-state-${stateName}`).catch(() => undefined);
    c.close();
  }
}

/** A two-member cluster through m1's socket, the instances spread over m1 and m2 by target:. */
export async function clusterSection({ snap, image, sizes, runs, running, log }) {
  const why = await ensureDaemon(M1_DIR, 'scripts/cluster-up.sh', log);
  if (why) return { skipped: `the cluster is not there: ${why}` };
  const socket = path.join(M1_DIR, 'unix.socket');
  const c = lxdAt(socket);
  try {
    const members = (await c.lxd('GET', '/1.0/cluster/members?recursion=1').catch(() => [])).map((m) => m.server_name).sort();
    if (members.length < 2)
      return { skipped: `${socket} is not a cluster of two members or more (members: ${members.join(', ') || 'none'}): run scripts/cluster-up.sh` };
    const server = await c.lxd('GET', '/1.0');
    const state = path.join(await scratch(), 'cluster-state', 'lxplan.state.json');
    await (await import('node:fs/promises')).mkdir(path.dirname(state), { recursive: true });
    const got = await rows({
      label: 'cluster',
      c,
      snap,
      image,
      sizes,
      runs,
      running,
      members,
      args: ['--socket', socket, '--state', state],
      env: {},
      state,
      log,
      proxySocket: socket,
    });
    return { daemon: `LXD ${server.environment.server_version}, ${members.length} members (${members.join(', ')}), through ${socket}`, members, ...got };
  } finally {
    c.close();
  }
}
