#!/usr/bin/env node
/**
 * One lxplan plan run in-process, phase by phase, in a fresh Node process (as cold as the CLI):
 * the same steps as openSession() in src/workflow/session.ts, timed one by one, then the plan
 * rendered as `lxplan` would print it. Prints one JSON line: phase times (ms), the number of
 * HTTP requests sent to LXD (the client's own counter, operation polls included), the plan's
 * summary and this process's peak RSS.
 *
 * Usage: node bench/plan-phases.mjs BUILD_DIR MANIFEST_DIR STATE_FILE PROJECT
 * (BUILD_DIR holds dist/src: the repository, or the frozen copy bench/run.mjs makes.)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [buildDir, manifestDir, statePath, project] = process.argv.slice(2);
if (!project) {
  console.error('usage: node bench/plan-phases.mjs BUILD_DIR MANIFEST_DIR STATE_FILE PROJECT');
  process.exit(2);
}
const mod = (rel) => import(pathToFileURL(path.join(buildDir, 'dist/src', rel)).href);

const phases = {};
let t = performance.now();
const lap = (name) => {
  const now = performance.now();
  phases[name] = (phases[name] ?? 0) + (now - t);
  t = now;
};

const [{ loadManifests }, { computeFingerprints, openSession }, { StateManager }, { LxdClient }, { readLive }, { plan: makePlan }, { renderPlan }, { plain }] =
  await Promise.all([
    mod('manifest/index.js'),
    mod('workflow/session.js'),
    mod('state/index.js'),
    mod('lxd/client.js'),
    mod('resources/live.js'),
    mod('planner/index.js'),
    mod('cli/views/plan-human.js'),
    mod('cli/views/style.js'),
  ]);
lap('import');

const manifest = await loadManifests(manifestDir);
lap('load');
await computeFingerprints(manifest);
lap('hash');
const state = await StateManager.open(statePath, { operation: 'plan', lock: true });
lap('lock');
const client = new LxdClient({ project });
let plan;
let requests;
try {
  const liveSnapshot = await readLive(client);
  requests = client.stats.requests;
  lap('read');
  plan = makePlan({ manifest, live: liveSnapshot, state: state.state });
  lap('plan');
} finally {
  client.close();
  await state.release();
  lap('unlock');
}
const text = renderPlan(plan, plain);
lap('render');
const total = Object.values(phases).reduce((a, b) => a + b, 0);

// Cross-check: openSession itself (warm now) must make the same requests and the same plan.
const session = await openSession({ path: manifestDir, statePath, project, operation: 'plan' });
const sessionRequests = session.client.stats.requests;
const sessionSummary = session.plan.summary;
await session.close();

console.log(
  JSON.stringify({
    phases,
    total,
    requests,
    sessionRequests,
    summary: plan.summary,
    sessionSummary,
    renderedChars: text.length,
    instances: Object.keys(manifest.instances).length,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
