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
import { driftOnly } from '../cli/views/cases.js';
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

test.run();
