/**
 * Named instance snapshots in the planner: taken after their instance exists, deleted before it,
 * kept as they are once taken. Whole rendered plans, so wording and order changes show.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import { checkGuards } from '../../src/workflow/guards.js';
import { dImage, dInstance, dSnapshot, FP_A, FP_B, lImage, lInstance, live, lSnapshot, manifest, state } from './builders.js';

const web = () => dInstance('web-1', { snapshots: ['before-upgrade', 'clean'] });
const SNAPS = () => [dSnapshot('web-1/before-upgrade'), dSnapshot('web-1/clean')];
const liveBase = { images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1')] };
const MANAGED = ['image.busybox', 'instance.web-1'];

const change = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address);

test('on an empty LXD: the instance first, then its snapshots, one at a time (LXD can hang on two at once)', () => {
  const input = { manifest: manifest({ images: [dImage('busybox')], instances: [web()], snapshots: SNAPS() }), live: live(), state: state() };
  assert.equal(change(input, 'snapshot.web-1/before-upgrade')?.dependsOn, ['instance.web-1']);
  assert.equal(change(input, 'snapshot.web-1/clean')?.dependsOn.sort(), ['instance.web-1', 'snapshot.web-1/before-upgrade']);
  assert.equal(change(input, 'instance.web-1')?.dependsOn, ['image.busybox']);
});

test('snapshots of an existing instance: taken, the whole plan', () => {
  const input = { manifest: manifest({ images: [dImage('busybox')], instances: [web()], snapshots: SNAPS() }), live: live(liveBase), state: state(...MANAGED) };
  assert.is(
    renderPlan(plan(input)),
    `lxplan will make these changes:

  + snapshot web-1/before-upgrade
  + snapshot web-1/clean

Plan: 2 to add, 0 to change, 0 to destroy.
`,
  );
  assert.equal(change(input, 'snapshot.web-1/clean')?.dependsOn, ['snapshot.web-1/before-upgrade'], 'one snapshot of an instance at a time');
});

test('a snapshot that exists is kept as it is, whatever changed on the instance since', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [web()], snapshots: SNAPS() }),
    live: live({ ...liveBase, snapshots: [lSnapshot('web-1/before-upgrade', { config: { 'limits.memory': '1GB' } }), lSnapshot('web-1/clean')] }),
    state: state(...MANAGED, 'snapshot.web-1/before-upgrade', 'snapshot.web-1/clean'),
  };
  assert.is(renderPlan(plan(input)), 'No changes. LXD matches the manifests.\n');
});

test('a snapshot removed from the manifest is deleted, the whole plan; the guard asks for --allow-delete', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { snapshots: ['clean'] })], snapshots: [dSnapshot('web-1/clean')] }),
    live: live({ ...liveBase, snapshots: [lSnapshot('web-1/before-upgrade'), lSnapshot('web-1/clean')] }),
    state: state(...MANAGED, 'snapshot.web-1/before-upgrade', 'snapshot.web-1/clean'),
  };
  const p = plan(input);
  assert.is(
    renderPlan(p),
    `lxplan will make these changes:

  - snapshot web-1/before-upgrade

Plan: 0 to add, 0 to change, 1 to destroy.
`,
  );
  assert.throws(() => checkGuards(p, { allowDelete: false, allowReplace: false }), /snapshot web-1\/before-upgrade \(deleted\)/);
  checkGuards(p, { allowDelete: true, allowReplace: false });
});

test('an instance removed with its snapshots: the snapshots are deleted first', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')] }),
    live: live({ ...liveBase, snapshots: [lSnapshot('web-1/clean')] }),
    state: state(...MANAGED, 'snapshot.web-1/clean'),
  };
  const p = plan(input);
  assert.equal(p.changes.find((c) => c.address === 'instance.web-1')?.dependsOn, ['snapshot.web-1/clean']);
  assert.is(p.changes.find((c) => c.address === 'snapshot.web-1/clean')?.action, 'delete');
});

test('a snapshot in state that LXD no longer has (its instance was replaced, or it was deleted by hand) is taken again', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [web()], snapshots: SNAPS() }),
    live: live({ ...liveBase, snapshots: [lSnapshot('web-1/clean')] }),
    state: state(...MANAGED, 'snapshot.web-1/before-upgrade', 'snapshot.web-1/clean'),
  };
  const c = change(input, 'snapshot.web-1/before-upgrade');
  assert.is(c?.action, 'create');
  assert.is(c?.reason, 'was deleted outside lxplan');
});

test('a replaced instance loses its snapshots in LXD: the plan replaces them too and names the unmanaged ones', () => {
  const input = {
    manifest: manifest({
      images: [dImage('busybox'), dImage('busybox-2', FP_B)],
      instances: [dInstance('web-1', { image: 'busybox-2', snapshots: ['clean'] })],
      snapshots: [dSnapshot('web-1/clean')],
    }),
    live: live({
      images: [lImage(FP_A, ['busybox']), lImage(FP_B, ['busybox-2'])],
      instances: [lInstance('web-1')],
      snapshots: [lSnapshot('web-1/clean'), lSnapshot('web-1/by-hand')],
    }),
    state: state('image.busybox', 'image.busybox-2', 'instance.web-1', 'snapshot.web-1/clean'),
  };
  const p = plan(input);
  assert.is(
    renderPlan(p),
    `lxplan will make these changes:

  -/+ instance web-1 (replace: image busybox -> busybox-2)  # LXD deletes its snapshots with it, including one lxplan does not manage: by-hand
      ~ image: busybox -> busybox-2 (replace)
  -/+ snapshot web-1/clean (replace)  # LXD deletes it with its instance: taken again from the new instance (what it held is lost)

Plan: 2 to add, 0 to change, 2 to destroy.
`,
  );
  assert.equal(change(input, 'snapshot.web-1/clean')?.dependsOn, ['instance.web-1']);
  assert.throws(() => checkGuards(p, { allowDelete: true, allowReplace: false }), /snapshot web-1\/clean/);
});

test('an instance deleted with snapshots lxplan does not manage: the plan names them', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')] }),
    live: live({ ...liveBase, snapshots: [lSnapshot('web-1/by-hand')] }),
    state: state(...MANAGED),
  };
  assert.match(change(input, 'instance.web-1')?.reason ?? '', /LXD deletes its snapshots with it, including one lxplan does not manage: by-hand/);
});

test('a renamed instance takes its snapshots along: they are kept, their state entries move', () => {
  const input = {
    manifest: manifest({
      images: [dImage('busybox')],
      instances: [dInstance('web-2', { renamedFrom: 'web-1', snapshots: ['clean'] })],
      snapshots: [dSnapshot('web-2/clean')],
    }),
    live: live({ ...liveBase, instances: [lInstance('web-1', { status: 'Stopped' })], snapshots: [lSnapshot('web-1/clean')] }),
    state: state(...MANAGED, 'snapshot.web-1/clean'),
  };
  const p = plan(input);
  const snaps = p.changes.filter((c) => c.kind === 'snapshot');
  assert.equal(
    snaps.map((c) => [c.name, c.action, c.renamedFrom, c.stateOp]),
    [['web-2/clean', 'noop', 'web-1/clean', 'add']],
  );
  assert.equal(snaps[0].dependsOn, ['instance.web-2']);
  assert.is(p.summary.destroy, 0);
  checkGuards(p, { allowDelete: false, allowReplace: false });
});

test.run();
