/**
 * ephemeral, architecture and description of instances in the planner: stopping a running
 * ephemeral instance destroys it (planned as a guarded replace, said so), a restart does not
 * (LXD keeps an ephemeral instance across a restart); architecture is a creation-time input
 * checked against the image; description is live.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { instanceSpec } from '../../src/resources/instance/spec.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import { EPHEMERAL_STOP_NOTE } from '../../src/resources/instance/arch.js';
import type { DesiredInstance } from '../../src/resources/types.js';
import { checkGuards } from '../../src/workflow/guards.js';
import { dImage, dInstance, FP_A, lImage, lInstance, live, manifest, planError, render, state } from './builders.js';

const input = (d: Partial<DesiredInstance>, l: Parameters<typeof lInstance>[1] = {}, opts = {}): PlanInput => ({
  manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', d)] }),
  live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', l)] }),
  state: state('image.busybox', 'instance.web-1'),
  options: opts,
});
const change = (i: PlanInput) => plan(i).changes.find((c) => c.address === 'instance.web-1')!;

test('stopping a running ephemeral instance destroys it: a replace, with the reason, refused without --allow-replace', () => {
  const i = input({ ephemeral: true, state: 'stopped' }, { ephemeral: true });
  assert.is(
    render(i),
    `lxplan will make these changes:

  -/+ instance web-1 (replace: state running -> stopped)
      ~ state: running -> stopped (replace; ${EPHEMERAL_STOP_NOTE})

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
  assert.throws(() => checkGuards(plan(i), { allowReplace: false, allowDelete: true }), /instance web-1 \(replaced/);
  // A frozen one is stopped too.
  assert.is(change(input({ ephemeral: true, state: 'stopped' }, { ephemeral: true, status: 'Frozen' })).action, 'replace');
  // Already stopped: nothing to destroy.
  assert.is(change(input({ ephemeral: true, state: 'stopped' }, { ephemeral: true, status: 'Stopped' })).action, 'noop');
});

test('ephemeral: false and state: stopped in one plan is an update: the instance is made persistent before it stops', () => {
  const c = change(input({ ephemeral: false, state: 'stopped' }, { ephemeral: true }));
  assert.is(c.action, 'update');
  assert.equal(
    c.fields.map((f) => [f.path, f.before, f.after, f.impact]),
    [
      ['state', 'running', 'stopped', 'live'],
      ['ephemeral', 'true', 'false', 'live'],
    ],
  );
});

test('a restart of an ephemeral instance keeps it (observed on LXD 5.0.2): a restart-impact change is an ordinary restart', () => {
  const c = change(input({ ephemeral: true, config: { 'security.privileged': 'true' } }, { ephemeral: true }, { allowRestart: true }));
  assert.is(c.action, 'update');
  assert.is(c.restart, 'now');
});

test('ephemeral is compared only when written or true in LXD; making an instance ephemeral is live', () => {
  assert.is(change(input({}, {})).action, 'noop');
  assert.is(change(input({ ephemeral: false }, {})).action, 'noop');
  assert.equal(
    change(input({ ephemeral: true }, {})).fields.map((f) => [f.path, f.before, f.after, f.impact]),
    [['ephemeral', 'false', 'true', 'live']],
  );
});

test('architecture: compared only when declared, aliases are the same, a change is a replace, a different image architecture an error', () => {
  assert.is(change(input({ architecture: 'amd64' })).action, 'noop');
  const i = input({ architecture: 'i686' });
  i.live.images[0].architecture = 'i686';
  const c = change(i);
  assert.is(c.action, 'replace');
  assert.equal(
    c.fields.map((f) => [f.path, f.before, f.after, f.impact]),
    [['architecture', 'x86_64', 'i686', 'replace']],
  );
  const e = planError(input({ architecture: 'aarch64' }));
  assert.is(e.message, 'instance "web-1" declares architecture aarch64, but the image "busybox" is x86_64');
});

test('description is changed live', () => {
  const c = change(input({ description: 'the web server' }));
  assert.is(c.action, 'update');
  assert.equal(
    c.fields.map((f) => [f.path, f.before, f.after, f.impact]),
    [['description', '', 'the web server', 'live']],
  );
});

test('ephemeral is in the instance digest: a saved plan is refused when someone made the instance ephemeral since', () => {
  const base = lInstance('web-1');
  assert.is.not(instanceSpec.digest({ ...base, ephemeral: true }), instanceSpec.digest(base));
  assert.is(instanceSpec.digest({ ...base, ephemeral: false }), instanceSpec.digest(base));
});

test.run();
