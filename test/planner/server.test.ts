/**
 * The server config in the planner: only declared keys (and keys lxplan set before) are
 * compared; a key dropped from the manifest is unset; dropping server: unsets what lxplan set
 * and forgets the object; other server keys are never touched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { DesiredServer } from '../../src/resources/types.js';
import type { State } from '../../src/state/model.js';
import { live, manifest, render, state } from './builders.js';

const dServer = (config: Record<string, string>): DesiredServer => ({ kind: 'server', name: 'config', config, at: { file: 'lxplan.yaml', line: 1, col: 1 } });

/** The input: the manifest's server (if any), LXD's server config, and state with the keys lxplan recorded (undefined: not managed). */
function input(declared: Record<string, string> | undefined, lxd: Record<string, string>, recorded?: string): PlanInput {
  const m = manifest();
  if (declared) m.server = dServer(declared);
  const l = live();
  l.server = { api_version: '1.0', api_extensions: [], config: lxd };
  const s: State = state();
  if (recorded !== undefined)
    s.resources['server.config'] = { kind: 'server', name: 'config', since: '2026-11-23T00:00:00.000Z', attributes: { keys: recorded } };
  return { manifest: m, live: l, state: s };
}

const NOTE = "lxplan set this key before and the manifest no longer has it: unset, LXD's default applies";

test('declared keys are adopted and set; keys LXD has that the manifest does not name are not shown', () => {
  const i = input({ 'images.remote_cache_expiry': '20' }, { 'core.https_address': ':8443', 'images.auto_update_interval': '7' });
  assert.is(
    render(i),
    `lxplan will make these changes:

  ~ server config (live)  # built-in server: lxplan starts managing it
      ~ config.images.remote_cache_expiry: 10 -> 20 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const c = plan(i).changes.find((x) => x.address === 'server.config')!;
  assert.equal(c.stateAttributes, { keys: 'images.remote_cache_expiry' });
  assert.equal(c.desired, dServer({ 'images.remote_cache_expiry': '20' }));
});

test("a declared key at LXD's default is no change: LXD does not store a key set to its default", () => {
  // PATCH images.remote_cache_expiry=10 on LXD 5.0.2 reads back as absent.
  assert.is(
    render(input({ 'images.remote_cache_expiry': '10', 'images.auto_update_cached': 'true' }, {}, 'images.auto_update_cached,images.remote_cache_expiry')),
    'No changes. LXD matches the manifests.\n',
  );
  // A key without a fixed default still differs when absent.
  assert.match(render(input({ 'core.https_address': ':8443' }, {}, 'core.https_address')), '+ config.core.https_address: :8443 (live)');
});

test('a declared key LXD already has is no change, in any spelling of the same integer', () => {
  assert.is(
    render(input({ 'images.remote_cache_expiry': '10' }, { 'core.https_address': ':8443', 'images.remote_cache_expiry': '10' }, 'images.remote_cache_expiry')),
    'No changes. LXD matches the manifests.\n',
  );
  assert.is(
    render(input({ 'images.remote_cache_expiry': '010' }, { 'images.remote_cache_expiry': '10' }, 'images.remote_cache_expiry')),
    'No changes. LXD matches the manifests.\n',
  );
  assert.is(
    render(input({ 'images.auto_update_cached': 'yes' }, { 'images.auto_update_cached': 'true' }, 'images.auto_update_cached')),
    'No changes. LXD matches the manifests.\n',
  );
});

test('a changed key is an update; a key lxplan set and the manifest dropped is unset (a delete of that key)', () => {
  const i = input(
    { 'images.remote_cache_expiry': '12' },
    { 'images.remote_cache_expiry': '10', 'images.auto_update_interval': '6', 'core.https_address': ':8443' },
    'images.auto_update_interval,images.remote_cache_expiry',
  );
  assert.is(
    render(i),
    `lxplan will make these changes:

  ~ server config (live)
      - config.images.auto_update_interval: 6 (live; ${NOTE})
      ~ config.images.remote_cache_expiry:  10 -> 12 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const c = plan(i).changes[0];
  assert.equal(c.desired, { ...dServer({ 'images.remote_cache_expiry': '12' }), unset: ['images.auto_update_interval'] });
  assert.is(c.stateOp, 'add');
});

test('dropping server: unsets only the keys lxplan set, then the state forgets it; never a delete', () => {
  const i = input(
    undefined,
    { 'images.remote_cache_expiry': '10', 'images.auto_update_interval': '6', 'core.https_address': ':8443' },
    'images.remote_cache_expiry',
  );
  assert.is(
    render(i),
    `lxplan will make these changes:

  ~ server config (live)  # no longer in the manifests: lxplan undoes what it set and stops managing this server
      - config.images.remote_cache_expiry: 10 (live; ${NOTE})

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const c = plan(i).changes[0];
  assert.is(c.action, 'update');
  assert.is(c.stateOp, 'remove');
  assert.equal((c.desired as DesiredServer).unset, ['images.remote_cache_expiry']);
  assert.equal((c.desired as DesiredServer).config, {});
  // Already unset in LXD (by hand): nothing to write, the state just forgets it.
  const gone = plan(input(undefined, { 'core.https_address': ':8443' }, 'images.remote_cache_expiry')).changes[0];
  assert.is(gone.action, 'noop');
  assert.is(gone.stateOp, 'remove');
  // Never managed: nothing at all.
  assert.is(render(input(undefined, { 'images.remote_cache_expiry': '10' })), 'No changes. LXD matches the manifests.\n');
});

test('secret server keys are shown as (sensitive)', () => {
  const i = input({ 'loki.auth.password': 'hunter2' }, {});
  i.manifest.server!.sensitive = ['loki.auth.password'];
  const out = render(i);
  assert.ok(out.includes('+ config.loki.auth.password: (sensitive) (live)'), out);
  assert.not.ok(out.includes('hunter2'), out);
});

test.run();
