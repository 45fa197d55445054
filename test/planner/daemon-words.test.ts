/**
 * The plan names the daemon it was made against (issue 14): the planner records "LXD" or "Incus"
 * from GET /1.0 (live.server), and the views say it after "No changes.". A plan made without the
 * daemon read (fixtures, a saved plan of an older lxplan) says "LXD", as before.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlanMarkdown } from '../../src/cli/views/plan-markdown.js';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { plan } from '../../src/planner/index.js';
import type { LxdServer } from '../../src/lxd/types.js';
import { driftOnly, restartOwed, stateOnly } from '../cli/views/cases.js';
import { countDone } from '../../src/cli/views/progress.js';
import { LxdApiError } from '../../src/lxd/errors.js';
import { live, manifest, state } from './builders.js';

const daemon = (server: string, version: string): LxdServer => ({
  api_version: '1.0',
  api_extensions: [],
  config: {},
  environment: { server, server_version: version },
});

function planOn(server?: LxdServer) {
  const l = live();
  if (server) l.server = server;
  return plan({ manifest: manifest(), live: l, state: state() });
}

test('against Incus the plan says Incus; against LXD, LXD', () => {
  const incus = planOn(daemon('incus', '6.0.4'));
  assert.is(incus.daemon, 'incus');
  assert.is(renderPlan(incus), 'No changes. Incus matches the manifests.\n');
  assert.match(renderPlanMarkdown(incus), '**No changes.** Incus matches the manifests.');
  const lxd = planOn(daemon('lxd', '5.0.2'));
  assert.is(lxd.daemon, 'lxd');
  assert.is(renderPlan(lxd), 'No changes. LXD matches the manifests.\n');
});

test('the daemon not read: no daemon in the plan, the text says LXD', () => {
  const p = planOn();
  assert.is(p.daemon, undefined);
  assert.is(renderPlan(p), 'No changes. LXD matches the manifests.\n');
});

test('drift kept: the daemon that keeps it is named', () => {
  const p = { ...driftOnly(), daemon: 'incus' as const };
  assert.match(renderPlan(p), /\nNo changes\. Incus keeps the changes made outside lxplan\.\n$/);
});

test('the other texts follow the daemon too: state only, waiting for a restart, the apply count, an API error', () => {
  const incus = { ...stateOnly(), daemon: 'incus' as const };
  assert.match(renderPlan(incus), 'State only (Incus is not touched):');
  assert.match(renderPlanMarkdown(incus), 'State only (Incus is not touched):');
  const owed = { ...restartOwed(), daemon: 'incus' as const };
  assert.match(renderPlan(owed), 'Waiting for a restart (Incus has the changes; they take effect at the next start):');
  assert.match(renderPlan(stateOnly()), 'State only (LXD is not touched):');
  assert.is(countDone([], 'Incus'), 'nothing changed in Incus');
  assert.is(countDone([]), 'nothing changed in LXD');
  const e = new LxdApiError({ status: 404, lxdError: 'Instance not found', method: 'GET', path: '/1.0/instances/x', daemon: 'Incus' });
  assert.is(e.message, 'Instance not found (Incus: GET /1.0/instances/x: 404 Not Found)');
  assert.is(
    new LxdApiError({ status: 404, lxdError: 'Instance not found', method: 'GET', path: '/1.0/instances/x' }).message,
    'Instance not found (LXD: GET /1.0/instances/x: 404 Not Found)',
  );
});

test.run();
