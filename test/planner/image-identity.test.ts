/**
 * Image identity in the planner (issue 10 items 5-9, issue 11 item 1): a key renamed with the
 * same bytes is a rename, lxplan's extra aliases are part of their image (plans, conflicts,
 * --destroy), two changes on one LXD object (fingerprint, alias) wait for each other, and an
 * instance may name an image by its key or its fingerprint. Fixtures only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { LxdProject } from '../../src/lxd/types.js';
import { extraAliasDescription } from '../../src/resources/image/spec.js';
import type { Manifest } from '../../src/resources/types.js';
import { dImage, dInstance, FP_A, FP_B, lImage, lInstance, live, manifest, planError, render, state } from './builders.js';

const marked = (owner: string, ...names: string[]) => names.map((name) => ({ name, description: extraAliasDescription(owner) }));
const change = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address);

test('item 5: a key renamed with the same bytes is a rename (the alias moves), not a create and a delete', () => {
  const input = { manifest: manifest({ images: [dImage('a2')] }), live: live({ images: [lImage(FP_A, ['a1'])] }), state: state('image.a1') };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ image a2 (renamed from a1; live)
      ~ name: a1 -> a2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const p = plan(input);
  assert.equal(
    p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address} ${c.renamedFrom ?? ''}`),
    ['update image.a2 a1'],
  );
});

test('item 5: new bytes under a new key are still a create and a delete', () => {
  const input = { manifest: manifest({ images: [dImage('a2', FP_B)] }), live: live({ images: [lImage(FP_A, ['a1'])] }), state: state('image.a1') };
  assert.equal(
    plan(input).changes.map((c) => `${c.action} ${c.address}`),
    ['delete image.a1', 'create image.a2'],
  );
});

test('item 5: two changes on one fingerprint never run at once (a rename and a create of the same bytes)', () => {
  const input = { manifest: manifest({ images: [dImage('a2'), dImage('a3')] }), live: live({ images: [lImage(FP_A, ['a1'])] }), state: state('image.a1') };
  const p = plan(input);
  assert.equal(
    p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address} <- [${c.dependsOn.join(', ')}]`),
    ['update image.a2 <- []', 'create image.a3 <- [image.a2]'],
  );
});

test('item 5: an alias one image lets go of and another takes: the one letting go goes first', () => {
  // Image a drops its extra alias x; a new image (other bytes) is keyed x.
  const l = lImage(FP_A, ['a']);
  l.aliases.push(...marked('a', 'x'));
  const input = { manifest: manifest({ images: [dImage('a'), dImage('x', FP_B)] }), live: live({ images: [l] }), state: state('image.a') };
  assert.equal(
    plan(input).changes.map((c) => `${c.action} ${c.address} <- [${c.dependsOn.join(', ')}]`),
    ['update image.a <- []', 'create image.x <- [image.a]'],
  );
});

test('item 6: an extra alias promoted to the key is the same image renamed, not a conflict', () => {
  const l = lImage(FP_A, ['a1']);
  l.aliases.push(...marked('a1', 'a2'));
  const input = { manifest: manifest({ images: [dImage('a2')] }), live: live({ images: [l] }), state: state('image.a1') };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ image a2 (renamed from a1; live)
      ~ name: a1 -> a2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  // With the state lxapply records (the old key's extra alias a2 in its fields): no drift either.
  const made = plan({ manifest: manifest({ images: [dImage('a1', FP_A, { aliases: ['a2'] })] }), live: live(), state: state() }).changes[0];
  const recorded = {
    ...state(),
    resources: { 'image.a1': { kind: 'image' as const, name: 'a1', since: '2026-11-23T00:00:00.000Z', fields: made.stateFields } },
  };
  assert.is(render({ ...input, state: recorded }), render(input));
  // The old key kept as an extra alias: one more field.
  const kept = { ...input, manifest: manifest({ images: [dImage('a2', FP_A, { aliases: ['a1'] })] }) };
  assert.is(
    render(kept),
    `lxplan will make these changes:

  ~ image a2 (renamed from a1; live)
      ~ name:    a1 -> a2 (live)
      + aliases: [a1] (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test("lxplan's extra aliases are no images of their own: no plan, no conflict, none deleted", () => {
  const l = lImage(FP_A, ['app']);
  l.aliases.push(...marked('app', 'app-latest'));
  const m = manifest({ images: [dImage('app', FP_A, { aliases: ['app-latest'] })] });
  assert.is(render({ manifest: m, live: live({ images: [l] }), state: state('image.app') }), 'No changes. LXD matches the manifests.\n');
  // Someone else's alias on the same image is its own (and so is an alias marked for an image not there).
  const other = lImage(FP_A, ['app', 'by-hand']);
  other.aliases.push(...marked('gone', 'orphan'));
  const err = planError({ manifest: manifest({ images: [dImage('by-hand', FP_B)] }), live: live({ images: [other] }), state: state() });
  assert.match(err.message, 'image "by-hand" already exists in LXD and is not managed by lxplan');
});

test('issue 11 item 1: --destroy of a project whose image has extra aliases', () => {
  const project: LxdProject = {
    name: 'P',
    description: '',
    used_by: ['/1.0/profiles/default?project=P', `/1.0/images/${FP_A}?project=P`],
    config: { 'features.images': 'true', 'features.profiles': 'true', 'features.storage.volumes': 'true' },
  };
  const l = lImage(FP_A, ['busybox']);
  l.aliases.push(...marked('busybox', 'busybox-latest'));
  const m: Manifest = {
    ...manifest({ images: [dImage('busybox', FP_A, { aliases: ['busybox-latest'] })] }),
    project: 'P',
    projectAt: { file: 'lxplan.yaml', line: 1, col: 10 },
  };
  const snapshot = { ...live({ images: [l] }), projects: { default: { ...project, name: 'default', used_by: [] }, P: project } };
  const input: PlanInput = { manifest: m, live: snapshot, state: state('project.P', 'image.busybox'), options: { destroy: true } };
  assert.equal(
    plan(input)
      .changes.filter((c) => c.action !== 'noop')
      .map((c) => `${c.action} ${c.address} <- [${c.dependsOn.join(', ')}]`),
    ['delete project.P <- [image.busybox]', 'delete image.busybox <- []'],
  );
});

test('item 8: an instance may name a declared image by its fingerprint (or a unique prefix): it waits for that image', () => {
  for (const ref of [FP_A, FP_A.slice(0, 12)]) {
    const input = { manifest: manifest({ images: [dImage('img')], instances: [dInstance('web-1', { image: ref })] }), live: live(), state: state() };
    assert.equal(change(input, 'instance.web-1')?.dependsOn, ['image.img'], ref);
  }
});

test('item 8: a fingerprint resolves in the project the instance lives in', () => {
  // Image img is declared in project P (with features.images), the instance too: found there; an instance in the scope does not see it.
  const projects = {
    default: { name: 'default', description: '', config: { 'features.images': 'true', 'features.profiles': 'true' } },
    P: { name: 'P', description: '', config: { 'features.images': 'true', 'features.profiles': 'false' } },
  };
  const img = dImage('img', FP_A, { project: 'P' });
  const inP = dInstance('web-1', { image: FP_A.slice(0, 12), project: 'P' });
  const input: PlanInput = { manifest: manifest({ images: [img], instances: [inP] }), live: { ...live(), projects }, state: state() };
  assert.equal(change(input, 'instance.web-1')?.dependsOn, ['image.img']);
  const inScope = dInstance('web-2', { image: FP_A.slice(0, 12) });
  const err = planError({ ...input, manifest: manifest({ images: [img], instances: [inScope] }) });
  assert.match(err.message, `instance "web-2" uses image "${FP_A.slice(0, 12)}", which is neither in the manifests nor in LXD`);
  // The image LXD has in the scope (another fingerprint) is not found from P either.
  const other = planError({
    ...input,
    manifest: manifest({ images: [img], instances: [dInstance('web-3', { image: FP_B.slice(0, 12), project: 'P' })] }),
    live: { ...live({ images: [lImage(FP_B, ['bb'])] }), projects },
  });
  assert.match(other.message, `instance "web-3" uses image "${FP_B.slice(0, 12)}", which is neither in the manifests nor in LXD`);
});

test('item 9: naming the same image by its fingerprint instead of its key is no drift and no change', () => {
  const m = manifest({ images: [dImage('img')], instances: [dInstance('web-1', { image: 'img' })] });
  const made = plan({ manifest: m, live: live(), state: state() });
  // The state as lxapply leaves it after making both.
  const resources: ReturnType<typeof state>['resources'] = {};
  for (const c of made.changes)
    resources[c.address] = { kind: c.kind, name: c.name, since: '2026-11-23T00:00:00.000Z', attributes: c.stateAttributes, fields: c.stateFields };
  const after = { ...state(), resources };
  const l = live({ images: [lImage(FP_A, ['img'])], instances: [lInstance('web-1')] });
  assert.is(render({ manifest: m, live: l, state: after }), 'No changes. LXD matches the manifests.\n');
  const byFingerprint = manifest({ images: [dImage('img')], instances: [dInstance('web-1', { image: FP_A.slice(0, 12) })] });
  const p = plan({ manifest: byFingerprint, live: l, state: after });
  const web = p.changes.find((c) => c.address === 'instance.web-1')!;
  assert.is(web.action, 'noop');
  assert.is(web.drift, undefined);
  assert.is(render({ manifest: byFingerprint, live: l, state: after }), 'No changes. LXD matches the manifests.\n');
});

test('item 5: two keys on the same bytes, both gone, one new key: one rename, one delete, not at once', () => {
  const input = { manifest: manifest({ images: [dImage('a2')] }), live: live({ images: [lImage(FP_A, ['a0', 'a1'])] }), state: state('image.a0', 'image.a1') };
  assert.equal(
    plan(input)
      .changes.filter((c) => c.action !== 'noop')
      .map((c) => `${c.action} ${c.address} ${c.renamedFrom ?? '-'} <- [${c.dependsOn.join(', ')}]`),
    ['delete image.a1 - <- []', 'update image.a2 a0 <- [image.a1]'],
  );
});

test('item 5: an instance made from the old key, now naming the new one: the image is renamed, the instance is not replaced', () => {
  const m = manifest({ images: [dImage('a2')], instances: [dInstance('web-1', { image: 'a2' })] });
  const st = state('image.a1', 'instance.web-1');
  st.resources['instance.web-1'].attributes = { image: 'a1' };
  st.resources['instance.web-1'].fields = { image: 'a1' };
  const input = { manifest: m, live: live({ images: [lImage(FP_A, ['a1'])], instances: [lInstance('web-1')] }), state: st };
  assert.equal(
    plan(input)
      .changes.filter((c) => c.action !== 'noop')
      .map((c) => `${c.action} ${c.address}`),
    ['update image.a2'],
  );
  assert.is(
    change(input, 'instance.web-1')?.drift?.find((f) => f.path === 'image'),
    undefined,
  );
});

test.run();
