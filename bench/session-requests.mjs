#!/usr/bin/env node
/**
 * One plan, in-process, as the CLI makes it (openSession in src/workflow/session.ts): the HTTP
 * requests it sent (the client's own counter: state kept on the daemon and operation polls
 * included), its summary, its wall time and this process's peak RSS, as one JSON line. The
 * daemon is whatever the environment says (LXPLAN_REMOTE_URL and the other LXPLAN_* secrets for
 * HTTPS), or SOCKET. For bench/many-hosts.mjs, where no counting proxy can see inside TLS.
 *
 * Usage: node bench/session-requests.mjs BUILD_DIR MANIFEST_DIR STATE PROJECT [SOCKET]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [buildDir, manifestDir, statePath, project, socket] = process.argv.slice(2);
if (!project) {
  console.error('usage: node bench/session-requests.mjs BUILD_DIR MANIFEST_DIR STATE PROJECT [SOCKET]');
  process.exit(2);
}
const { openSession } = await import(pathToFileURL(path.join(buildDir, 'dist/src/workflow/session.js')).href);
const t = performance.now();
const session = await openSession({ path: manifestDir, statePath, project, socket, operation: 'plan' });
const summary = session.plan.summary;
await session.close();
const requests = session.client.stats.requests; // after close: the lock's release counts too
console.log(JSON.stringify({ requests, summary, ms: performance.now() - t, maxRssKb: process.resourceUsage().maxRSS }));
