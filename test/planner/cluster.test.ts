/**
 * `target:` of instances on a cluster in the planner: placement shown in the plan ("on m1"),
 * a changed target planned as a move (stop, move, start; guarded like a restart), an instance
 * already in its target group not moved, errors for a daemon that is not clustered and for an
 * unknown member or group; single-host plans unchanged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import { MOVE_NOTE } from '../../src/resources/instance/cluster.js';
import type { LiveSnapshot } from '../../src/resources/spec.js';
import type { DesiredInstance } from '../../src/resources/types.js';
import { checkGuards } from '../../src/workflow/guards.js';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { dImage, dInstance, dProfile, FP_A, lImage, lInstance, live, manifest, planError, render, state } from './builders.js';

const CLUSTER = { members: { m1: ['default', 'fast'], m2: ['default'] } };

function clustered(s: LiveSnapshot): LiveSnapshot {
  return { ...s, cluster: CLUSTER };
}

/** web-1 declared with `d`, and (unless `l` is null) in LXD on m1 as `l` says. */
const input = (d: Partial<DesiredInstance>, l: Parameters<typeof lInstance>[1] | null = {}, opts = {}, onCluster = true): PlanInput => {
  const lv = live({ images: [lImage(FP_A, ['busybox'])], instances: l === null ? [] : [lInstance('web-1', { location: 'm1', ...l })] });
  return {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', d)] }),
    live: onCluster ? clustered(lv) : lv,
    state: l === null ? state('image.busybox') : state('image.busybox', 'instance.web-1'),
    options: opts,
  };
};
const change = (i: PlanInput) => plan(i).changes.find((c) => c.address === 'instance.web-1')!;

test('a create on a member shows where it goes, in the text and the JSON', () => {
  const i = input({ target: 'm2' }, null);
  assert.is(
    render(i),
    `lxplan will make these changes:

  + instance web-1 (on m2)
      + image:    busybox
      + type:     container
      + profiles: [default]
      + state:    running
      + target:   m2

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  );
  assert.is(change(i).member, 'm2');
});

test('a changed target is a move: stop, move, start, said so; refused without --allow-restart, like a restart', () => {
  const i = input({ target: 'm2' });
  assert.is(
    render(i),
    `lxplan will make these changes:

  ~ instance web-1 (on m2; restart: target)
      ~ target: m1 -> m2 (restart; ${MOVE_NOTE})
      restart needed: the change cannot wait for the next start; lxapply refuses it without --allow-restart (or restart: auto on the instance, or a yes on a terminal)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  assert.is(MOVE_NOTE, 'live migration is not available on this kernel (CRIU): stop, move, start');
  assert.is(change(i).restart, 'required');
  assert.throws(
    () => checkGuards(plan(i), { allowReplace: false, allowDelete: false }),
    (e: Error) => e.message.includes('instance web-1 (moved from m1 to m2: stop, move, start)') && e.message.includes('restarts are never implicit'),
  );
  // Allowed: the move itself stops and starts it, no restart after it.
  const allowed = change(input({ target: 'm2' }, {}, { allowRestart: true }));
  assert.is(allowed.action, 'update');
  assert.is(allowed.restart, undefined);
  checkGuards(plan(input({ target: 'm2' }, {}, { allowRestart: true })), { allowReplace: false, allowDelete: false });
  // restart: auto allows it too.
  assert.is(change(input({ target: 'm2', restart: 'auto' })).restart, undefined);
});

test('a stopped instance is moved as it is: no restart involved', () => {
  const c = change(input({ target: 'm2', state: 'stopped' }, { status: 'Stopped' }));
  assert.is(c.action, 'update');
  assert.is(c.restart, undefined);
  assert.equal(
    c.fields.map((f) => [f.path, f.before, f.after, f.impact, f.note]),
    [['target', 'm1', 'm2', 'live', 'stopped: moved as it is']],
  );
});

test('an instance on a member of its target group does not move; one on another member does', () => {
  const there = plan(input({ target: '@fast' }));
  assert.is(
    renderPlan(there),
    `No changes. LXD matches the manifests.
`,
  );
  assert.is(there.changes.find((c) => c.name === 'web-1')!.member, 'm1');
  const c = change(input({ target: '@fast' }, { location: 'm2' }, { allowRestart: true }));
  assert.is(c.action, 'update');
  assert.equal(
    c.fields.map((f) => [f.path, f.before, f.after]),
    [['target', 'm2', '@fast']],
  );
  assert.is(c.member, '@fast');
});

test('without target: on a cluster nothing moves, and the change still says where the instance is', () => {
  const c = change(input({ config: { 'limits.memory': '1GB' } }));
  assert.is(c.action, 'update');
  assert.is(c.member, 'm1');
  assert.ok(renderPlan(plan(input({ config: { 'limits.memory': '1GB' } }))).includes('~ instance web-1 (on m1; live)'));
});

test('changes on several members are grouped by where they land: cluster-wide first, then each member; the headlines drop "on m"', () => {
  const lv = live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', { location: 'm1' })] });
  const i: PlanInput = {
    manifest: manifest({
      images: [dImage('busybox')],
      profiles: [dProfile('small', { config: { 'limits.memory': '256MB' } })],
      instances: [dInstance('web-1', { config: { 'limits.memory': '1GB' } }), dInstance('web-2', { target: 'm2' }), dInstance('web-3', { target: '@fast' })],
    }),
    live: clustered(lv),
    state: state('image.busybox', 'instance.web-1'),
    options: {},
  };
  assert.is(
    render(i),
    `lxplan will make these changes:

  Cluster-wide:
    + profile small
        + config.limits.memory: 256MB
  On a member of cluster group fast:
    + instance web-3
        + image:    busybox
        + type:     container
        + profiles: [default]
        + state:    running
        + target:   @fast
  On member m1:
    ~ instance web-1 (live)
        + config.limits.memory: 1GB (live)
  On member m2:
    + instance web-2
        + image:    busybox
        + type:     container
        + profiles: [default]
        + state:    running
        + target:   m2

Plan: 3 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a single host: no member in the plan, the text as before', () => {
  const i = input({ config: { 'limits.memory': '1GB' } }, {}, {}, false);
  assert.is(change(i).member, undefined);
  assert.is(
    render(i),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      + config.limits.memory: 1GB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('target: on a daemon that is not clustered: an error at the key, saying so', () => {
  const d = dInstance('web-1', { target: 'm1', keyAt: { target: { file: 'lxplan.yaml', line: 14, col: 5 } } });
  const e = planError({
    manifest: manifest({ images: [dImage('busybox')], instances: [d] }),
    live: live({ images: [lImage(FP_A, ['busybox'])] }),
    state: state(),
  });
  assert.is(e.message, 'instance "web-1" has target: m1, but the daemon is not clustered: there is no member to place it on');
  assert.equal(e.location, { file: 'lxplan.yaml', line: 14, col: 5 });
});

test('an unknown member or group: an error at the key naming the members and groups known', () => {
  const at = { file: 'lxplan.yaml', line: 14, col: 5 };
  const e = planError(input({ target: 'm3', keyAt: { target: at } }, null));
  assert.is(e.message, 'instance "web-1": target: m3 is not a cluster member of this cluster (members: m1, m2; groups: @default, @fast)');
  assert.equal(e.location, at);
  const g = planError(input({ target: '@slow', keyAt: { target: at } }, null));
  assert.is(g.message, 'instance "web-1": target: @slow is not a cluster group of this cluster (members: m1, m2; groups: @default, @fast)');
});

test('moving a running ephemeral instance is refused: it would be deleted when it stops', () => {
  const e = planError(input({ target: 'm2', ephemeral: true }, { ephemeral: true }));
  assert.is(e.message, 'instance "web-1" is ephemeral and running on m1: moving it to m2 stops it, and LXD deletes an ephemeral instance when it stops');
});

test.run();
