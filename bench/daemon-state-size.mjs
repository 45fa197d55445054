#!/usr/bin/env node
/**
 * How much a state kept on the daemon (src/state/daemon-store.ts) can hold, and what a write
 * costs: one user.* key of a throwaway project's config, written with PUT (and a stale If-Match
 * refused), at growing sizes, against a daemon's unix socket.
 *
 *   node bench/daemon-state-size.mjs [SOCKET]     (default: the second test daemon, /var/lib/lxd2/unix.socket)
 *
 * The figures in docs/remotes.md come from this script, against LXD 5.0.2 and Incus 6.0.4.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const sock = process.argv[2] ?? '/var/lib/lxd2/unix.socket';
const project = `lxplan-bench-state-${process.pid}`;

function req(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body ? Buffer.from(JSON.stringify(body)) : undefined;
    const r = http.request(
      {
        socketPath: sock,
        method,
        path,
        headers: { host: 'lxd', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    r.on('error', reject);
    r.end(data);
  });
}

const server = (await req('GET', '/1.0')).body.metadata;
console.log(`${server.environment.server} ${server.environment.server_version} at ${sock}`);
await req('POST', '/1.0/projects', { name: project, config: {} });
try {
  for (const mb of [0.0625, 0.25, 1, 4, 16, 64]) {
    const value = randomBytes(Math.round(mb * 1024 * 1024 * 0.75)).toString('base64');
    const t0 = performance.now();
    const put = await req('PUT', `/1.0/projects/${project}`, { config: { 'user.probe': value } });
    const t1 = performance.now();
    const got = await req('GET', `/1.0/projects/${project}`);
    const t2 = performance.now();
    const intact = got.body.metadata?.config?.['user.probe'] === value;
    console.log(
      `${String(mb).padStart(6)} MB in one key: PUT ${put.status} in ${Math.round(t1 - t0)} ms, GET in ${Math.round(t2 - t1)} ms, read back intact: ${intact}`,
    );
    if (put.status !== 200 || !intact) break;
  }
  const read = await req('GET', `/1.0/projects/${project}`);
  await req('PUT', `/1.0/projects/${project}`, { config: { 'user.x': '1' } }, { 'if-match': read.etag });
  const stale = await req('PUT', `/1.0/projects/${project}`, { config: { 'user.x': '2' } }, { 'if-match': read.etag });
  console.log(`a PUT with a stale If-Match: HTTP ${stale.status} (${stale.body.error.replace(/:.*/, '')})`);
} finally {
  await req('DELETE', `/1.0/projects/${project}`);
}
