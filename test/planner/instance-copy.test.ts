/**
 * Instances copied from another instance or one of its snapshots (`source:`): ordered after what
 * they copy, the source recorded in the state and compared with it, a changed source a replace,
 * a missing source an error before anything changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import { dImage, dInstance, dSnapshot, FP_A, lImage, lInstance, live, lSnapshot, manifest, planError, render, state } from './builders.js';

const base = () => dInstance('base', { snapshots: ['s1'] });
const copy = (snapshot?: string) => dInstance('copy-1', { image: '', copyOf: { instance: 'base', ...(snapshot ? { snapshot } : {}) } });
const change = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address);

/** State with copy-1 recorded as a copy of `source`. */
function copyState(source: string) {
  const s = state('image.busybox', 'instance.base', 'snapshot.base/s1', 'instance.copy-1');
  s.resources['instance.copy-1'].attributes = { source };
  return s;
}

test('on an empty LXD: the copy waits for the instance and the snapshot it copies; the plan shows its source', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [base(), copy('s1')], snapshots: [dSnapshot('base/s1')] }),
    live: live(),
    state: state(),
  };
  const c = change(input, 'instance.copy-1');
  assert.equal(c?.dependsOn.sort(), ['instance.base', 'snapshot.base/s1']);
  assert.equal(c?.stateAttributes, { source: 'base/s1' });
  assert.match(render(input), '  + instance copy-1\n      + source:   base/s1\n');
  assert.not.match(render(input), /copy-1\n\s+image/);
});

test('a copy as recorded is a noop, although LXD shows the original image as its base', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [base(), copy('s1')], snapshots: [dSnapshot('base/s1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('base'), lInstance('copy-1')], snapshots: [lSnapshot('base/s1')] }),
    state: copyState('base/s1'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test('a changed source is a replace; so is a copy turned into an image instance, and back', () => {
  const liveAll = live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('base'), lInstance('copy-1')], snapshots: [lSnapshot('base/s1')] });
  const toBase = {
    manifest: manifest({ images: [dImage('busybox')], instances: [base(), copy()], snapshots: [dSnapshot('base/s1')] }),
    live: liveAll,
    state: copyState('base/s1'),
  };
  const c = change(toBase, 'instance.copy-1');
  assert.is(c?.action, 'replace');
  assert.equal(
    c?.fields.map((f) => [f.path, f.before, f.after, f.impact]),
    [['source', 'base/s1', 'base', 'replace']],
  );

  // image: busybox resolves to the copy's volatile.base_image, but the copy was not made from it.
  const toImage = {
    ...toBase,
    manifest: manifest({ images: [dImage('busybox')], instances: [base(), dInstance('copy-1')], snapshots: [dSnapshot('base/s1')] }),
  };
  assert.equal(
    change(toImage, 'instance.copy-1')?.fields.map((f) => [f.path, f.before, f.after]),
    [['image', 'copy of base/s1', 'busybox']],
  );

  const fromImage = { ...toBase, state: state('image.busybox', 'instance.base', 'snapshot.base/s1', 'instance.copy-1') };
  assert.equal(
    change(fromImage, 'instance.copy-1')?.fields.map((f) => [f.path, f.before, f.after]),
    [['source', 'image busybox', 'base']],
  );
});

test('the source must exist: an instance and snapshot neither declared nor in LXD are errors naming the source key', () => {
  const d = copy('s9');
  d.keyAt = {
    source: { file: 'lxplan.yaml', line: 20, col: 5 },
    'source.instance': { file: 'lxplan.yaml', line: 20, col: 15 },
    'source.snapshot': { file: 'lxplan.yaml', line: 20, col: 31 },
  };
  const e = planError({
    manifest: manifest({ images: [dImage('busybox')], instances: [base(), d], snapshots: [dSnapshot('base/s1')] }),
    live: live(),
    state: state(),
  });
  assert.is(e.message, 'instance "copy-1" is a copy of snapshot "s9" of instance "base", which is neither in the manifests nor in LXD');
  assert.is(e.location?.col, 31);

  const e2 = planError({ manifest: manifest({ instances: [dInstance('copy-1', { image: '', copyOf: { instance: 'gone' } })] }), live: live(), state: state() });
  assert.is(e2.message, 'instance "copy-1" is a copy of instance "gone", which is neither in the manifests nor in LXD');

  // An instance lxplan deletes in this very plan does not count as existing.
  const e3 = planError({
    manifest: manifest({ instances: [dInstance('copy-1', { image: '', copyOf: { instance: 'base' } })] }),
    live: live({ instances: [lInstance('base')] }),
    state: state('instance.base'),
  });
  assert.match(e3.message, 'is a copy of instance "base", which is neither');
});

test('a copy that exists no longer needs its original: base and its snapshot may go', () => {
  const s = copyState('base/s1');
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [copy('s1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('base'), lInstance('copy-1')], snapshots: [lSnapshot('base/s1')] }),
    state: s,
  };
  const p = plan(input);
  assert.equal(
    p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`),
    ['delete instance.base', 'delete snapshot.base/s1'],
  );
  // Its source changed: it is made again, and the new source must exist.
  const e = planError({ ...input, manifest: manifest({ images: [dImage('busybox')], instances: [copy()] }) });
  assert.match(e.message, 'is a copy of instance "base", which is neither');
});

test('an instance that exists in LXD but is not managed can be copied; copies copying each other in a circle cannot', () => {
  const ok = { manifest: manifest({ instances: [copy()] }), live: live({ instances: [lInstance('base')] }), state: state() };
  assert.is(change(ok, 'instance.copy-1')?.action, 'create');
  const a = dInstance('a', { image: '', copyOf: { instance: 'b' } });
  const b = dInstance('b', { image: '', copyOf: { instance: 'a' } });
  const e = planError({ manifest: manifest({ instances: [a, b] }), live: live(), state: state() });
  assert.is(e.message, 'instance "a" is a copy of itself, through "a" -> "b" -> "a"');
});

test('a copy of an instance that runs says the copy is not consistent; a copy of a snapshot, or of a stopped instance, does not', () => {
  const note = (d: ReturnType<typeof copy>, l = live()) =>
    plan({ manifest: manifest({ images: [dImage('busybox')], instances: [base(), d], snapshots: [dSnapshot('base/s1')] }), live: l, state: state() })
      .changes.find((c) => c.address === 'instance.copy-1')!
      .fields.find((f) => f.path === 'source')!.note;
  assert.is(note(copy()), 'base is copied while it runs: files being written may be copied half-way (copy a snapshot for a consistent copy)');
  assert.is(note(copy('s1')), undefined);
  const stopped = live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('base', { status: 'Stopped' })] });
  const d = copy();
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('base', { state: 'stopped' }), d] }),
    live: stopped,
    state: state('image.busybox', 'instance.base'),
  };
  assert.is(
    plan(input)
      .changes.find((c) => c.address === 'instance.copy-1')!
      .fields.find((f) => f.path === 'source')!.note,
    undefined,
  );
});

test.run();
