/**
 * project: on an instance, in the planner: the change carries the project it is made in (the
 * executor scopes its client to it), the state records it, a changed project is a replace (a move),
 * an object removed from the manifests is deleted where it lives, the project comes first and goes
 * last, and references must be found where LXD looks from the instance's project. Fixtures: the
 * live snapshot is what readLiveIn merges (the instance read in its own project).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPlanDocument, toPlanDocument } from '../../src/workflow/plan-file.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { LxdProject } from '../../src/lxd/types.js';
import type { DesiredProject, Manifest } from '../../src/resources/types.js';
import { dImage, dInstance, dProfile, dSnapshot, FP_A, lImage, lInstance, lProfile, lSnapshot, live, manifest, planError, render, state } from './builders.js';

/** Projects sharing the default project's images and profiles (features off), as the integration test makes them. */
const SHARED = { 'features.images': 'false', 'features.profiles': 'false' };
const dProject = (name: string, config: Record<string, string> = SHARED): DesiredProject => ({
  kind: 'project',
  name,
  at: { file: 'lxplan.yaml', line: 3, col: 3 },
  description: '',
  config,
});
const lProject = (name: string, config: Record<string, string> = SHARED, usedBy: string[] = []): LxdProject => ({
  name,
  description: '',
  used_by: usedBy,
  config: { 'features.storage.volumes': 'true', ...config },
});
const scoped = (m: Manifest, projects: DesiredProject[] = []): Manifest => ({
  ...m,
  project: 'a',
  projectAt: { file: 'lxplan.yaml', line: 1, col: 10 },
  ...(projects.length ? { projects: Object.fromEntries(projects.map((p) => [p.name, p])) } : {}),
});
const withProjects = (l: ReturnType<typeof live>, ...projects: LxdProject[]) => ({
  ...l,
  projects: Object.fromEntries(
    [lProject('default', { 'features.images': 'true', 'features.profiles': 'true' }), lProject('a'), ...projects].map((p) => [p.name, p]),
  ),
});
const inB = { project: 'b', keyAt: { project: { file: 'lxplan.yaml', line: 14, col: 5 } } };
/** A state whose instance.web-b was made in project b. */
const stateInB = (...more: string[]) => {
  const s = state('instance.web-b', 'instance.web-a', 'image.busybox', ...more);
  s.resources['instance.web-b'].attributes = { image: 'busybox', project: 'b' };
  return s;
};
const change = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address)!;

test('an instance in a declared project: created after the project, in it; the plan and the state say where', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-a'), dInstance('web-b', inB)] }), [dProject('b')]);
  const input = { manifest: m, live: withProjects(live()), state: state() };
  assert.ok(
    render(input).includes(`  + instance web-b
      + project:  b
      + image:    busybox`),
    render(input),
  );
  const b = change(input, 'instance.web-b');
  assert.is(b.project, 'b');
  assert.is(b.fromProject, undefined);
  assert.equal(b.stateAttributes, { image: 'busybox', project: 'b' });
  assert.equal(b.dependsOn, ['image.busybox', 'project.b']);
  const a = change(input, 'instance.web-a');
  assert.is(a.project, undefined);
  assert.equal(a.stateAttributes, { image: 'busybox' });
  assert.equal(a.dependsOn, ['image.busybox']);
});

test('after apply: no changes (the instance is read in its project and recorded there)', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-a'), dInstance('web-b', inB)] }), [dProject('b')]);
  const l = withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-a'), lInstance('web-b')] }), lProject('b'));
  assert.ok(
    render({ manifest: m, live: l, state: stateInB('project.b') }).startsWith('No changes.'),
    render({ manifest: m, live: l, state: stateInB('project.b') }),
  );
});

test('moving an instance to another project is a replace: made in the new project, deleted from the old one', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-a'), dInstance('web-b')] }), [dProject('b')]);
  const l = withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-a'), lInstance('web-b')] }), lProject('b'));
  const input = { manifest: m, live: l, state: stateInB('project.b') };
  const c = change(input, 'instance.web-b');
  assert.is(c.action, 'replace');
  assert.is(c.project, undefined);
  assert.is(c.fromProject, 'b');
  assert.equal(c.stateAttributes, { image: 'busybox' });
  assert.ok(render(input).includes('-/+ instance web-b'), render(input));
  assert.ok(render(input).includes('~ project: b -> a (replace; a new instance is made in project "a" and the one in project "b" is deleted'), render(input));
  // And back: from the scope into b.
  const back = {
    manifest: scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-b', inB)] }), [dProject('b')]),
    live: l,
    state: state('instance.web-b', 'image.busybox', 'project.b'),
  };
  const c2 = change(back, 'instance.web-b');
  assert.is(c2.action, 'replace');
  assert.is(c2.project, 'b');
  assert.is(c2.fromProject, 'a');
});

test('removed from the manifests: deleted in the project it lives in; --destroy deletes the project last', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-a')] }), [dProject('b')]);
  const l = withProjects(
    live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-a'), lInstance('web-b')] }),
    lProject('b', SHARED, ['/1.0/instances/web-b?project=b']),
  );
  const gone = change({ manifest: m, live: l, state: stateInB('project.b') }, 'instance.web-b');
  assert.is(gone.action, 'delete');
  assert.is(gone.project, 'b');
  const destroy = { manifest: m, live: l, state: stateInB('project.b'), options: { destroy: true } };
  assert.is(change(destroy, 'project.b').action, 'delete');
  assert.equal(change(destroy, 'project.b').dependsOn, ['instance.web-b']);
  assert.is(change(destroy, 'instance.web-b').project, 'b');
  // Not when something lxplan does not manage is in it.
  const other = { ...l, projects: { ...l.projects, b: lProject('b', SHARED, ['/1.0/instances/web-b?project=b', '/1.0/instances/web-a?project=b']) } };
  assert.match(planError({ ...destroy, live: other }).message, /project "b" cannot be deleted: .* holds instance "web-a"/);
});

test('a saved plan keeps where each change is made', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-a'), dInstance('web-b')] }), [dProject('b')]);
  const l = withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-a'), lInstance('web-b')] }), lProject('b'));
  const p = plan({ manifest: m, live: l, state: stateInB('project.b') });
  const back = fromPlanDocument(JSON.parse(JSON.stringify(toPlanDocument(p, { lxplanVersion: 'test' }))), 'plan.json');
  const c = back.changes.find((x) => x.address === 'instance.web-b')!;
  assert.is(c.fromProject, 'b');
  assert.is(c.project, undefined);
});

test('a project that does not exist, an image LXD would look for elsewhere, a rename that also moves: refused', () => {
  const missing = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-b', inB)] }));
  assert.is(planError({ manifest: missing, live: withProjects(live()), state: state() }).message, 'instance "web-b": LXD project "b" does not exist');
  const own = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-b', inB)] }), [
    dProject('b', { 'features.images': 'true', 'features.profiles': 'false' }),
  ]);
  const e = planError({ manifest: own, live: withProjects(live()), state: state() });
  assert.is(e.message, 'instance "web-b" is in project "b" and uses image "busybox", which is in project "default": LXD looks for it in project "b"');
  assert.match(e.hint ?? '', /features.images/);
  assert.is(e.location?.line, 14);
  const renamed = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-c', { ...inB, renamedFrom: 'web-a' })] }), [dProject('b')]);
  const l = withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-a')] }), lProject('b'));
  assert.match(
    planError({ manifest: renamed, live: l, state: state('instance.web-a', 'image.busybox', 'project.b') }).message,
    /renamed \(renamed_from: web-a\) and moved to project "b" at once/,
  );
});

test('an image in another project: made there, read by its alias there only; a project without features.images is refused', () => {
  const OWN = { 'features.images': 'true', 'features.profiles': 'true' };
  const m = scoped(manifest({ images: [dImage('busybox'), dImage('busybox-b', FP_A, inB)], instances: [dInstance('web-b', { ...inB, image: 'busybox-b' })] }), [
    dProject('b', OWN),
  ]);
  const input = { manifest: m, live: withProjects(live()), state: state() };
  const img = change(input, 'image.busybox-b');
  assert.is(img.project, 'b');
  assert.equal(img.stateAttributes?.project, 'b');
  assert.equal(img.dependsOn, ['project.b']);
  assert.equal(change(input, 'instance.web-b').dependsOn, ['image.busybox-b', 'project.b']);
  // The scope a has no images of its own (features.images off): its image is made in the default project.
  assert.is(change(input, 'image.busybox').project, 'default');
  // Applied: the snapshot holds both images (same fingerprint), each alias read where it lives.
  const s = state('image.busybox', 'image.busybox-b', 'instance.web-b', 'project.b');
  s.resources['image.busybox-b'].attributes = { project: 'b' };
  s.resources['instance.web-b'].attributes = { image: 'busybox-b', project: 'b' };
  const l = withProjects(
    live({ images: [lImage(FP_A, ['busybox']), lImage(FP_A, ['busybox-b'])], instances: [lInstance('web-b')] }),
    lProject('b', OWN, ['/1.0/instances/web-b?project=b', `/1.0/images/${FP_A}?project=b`]),
  );
  assert.ok(render({ manifest: m, live: l, state: s }).startsWith('No changes.'), render({ manifest: m, live: l, state: s }));
  // --destroy: b holds its image and instance, both deleted first; b goes last.
  const destroy = { manifest: m, live: l, state: s, options: { destroy: true } };
  assert.equal(change(destroy, 'project.b').dependsOn.sort(), ['image.busybox-b', 'instance.web-b']);
  // An image needs a project with images of its own.
  const shared = scoped(manifest({ images: [dImage('busybox-b', FP_A, inB)] }), [dProject('b')]);
  assert.match(
    planError({ manifest: shared, live: withProjects(live()), state: state() }).message,
    'image "busybox-b": project "b" has no images of its own (features.images is off)',
  );
});

test('snapshots follow their instance: taken in its project, and moved with it (taken again in the new project)', () => {
  const m = scoped(
    manifest({ images: [dImage('busybox')], instances: [dInstance('web-b', { ...inB, snapshots: ['s1'] })], snapshots: [dSnapshot('web-b/s1')] }),
    [dProject('b')],
  );
  const created = change({ manifest: m, live: withProjects(live()), state: state() }, 'snapshot.web-b/s1');
  assert.is(created.project, 'b');
  assert.ok(created.dependsOn.includes('instance.web-b'));
  // Made in the scope, now declared in b: the instance is replaced, its snapshot taken again in b.
  const l = withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-b')], snapshots: [lSnapshot('web-b/s1')] }), lProject('b'));
  const moved = { manifest: m, live: l, state: state('instance.web-b', 'snapshot.web-b/s1', 'image.busybox', 'project.b') };
  const snap = change(moved, 'snapshot.web-b/s1');
  assert.is(change(moved, 'instance.web-b').action, 'replace');
  assert.is(snap.action, 'replace');
  assert.is(snap.project, 'b');
  assert.is(snap.fromProject, 'a');
});

test("the scope's profiles do not reach an instance in a project with profiles of its own (same names, other profiles)", () => {
  const OWN = { 'features.images': 'true', 'features.profiles': 'true' };
  const m = scoped(
    manifest({
      images: [dImage('busybox-b', FP_A, inB)],
      profiles: [dProfile('small', { config: { 'limits.cpu': '2' } })],
      instances: [dInstance('web-b', { ...inB, image: 'busybox-b', profiles: ['default'] })],
    }),
    [dProject('b', OWN)],
  );
  const s = state('image.busybox-b', 'instance.web-b', 'profile.small', 'project.b');
  s.resources['image.busybox-b'].attributes = { project: 'b' };
  s.resources['instance.web-b'].attributes = { image: 'busybox-b', project: 'b' };
  // web-b uses b's own profile "small" (made by hand in b): the scope's "small" changing is not its business.
  const l = withProjects(
    live({
      images: [lImage(FP_A, ['busybox-b'])],
      profiles: [lProfile('small', { config: { 'limits.cpu': '1' } })],
      instances: [lInstance('web-b', { profiles: ['default', 'small'] })],
    }),
    lProject('b', OWN),
  );
  const input = { manifest: m, live: l, state: s };
  const small = change(input, 'profile.small');
  assert.is(small.action, 'update');
  assert.equal(small.usedBy ?? [], []);
  assert.equal(change(input, 'instance.web-b').dependsOn, []);
  // Nor does it stop the scope's "small" from being deleted.
  const without = { ...input, manifest: { ...m, profiles: {} } };
  assert.is(change(without, 'profile.small').action, 'delete');
  // In a project sharing the scope's profiles (features.profiles off in both), it does reach it.
  const sharedM = scoped(
    manifest({
      images: [dImage('busybox')],
      profiles: [dProfile('small', { config: { 'limits.cpu': '2' } })],
      instances: [dInstance('web-b', { ...inB, profiles: ['default', 'small'] })],
    }),
    [dProject('b')],
  );
  const sharedState = state('image.busybox', 'instance.web-b', 'profile.small', 'project.b');
  sharedState.resources['instance.web-b'].attributes = { image: 'busybox', project: 'b' };
  const sharedLive = withProjects(
    live({
      images: [lImage(FP_A, ['busybox'])],
      profiles: [lProfile('small', { config: { 'limits.cpu': '1' } })],
      instances: [lInstance('web-b', { profiles: ['default', 'small'] })],
    }),
    lProject('b'),
  );
  const shared = { manifest: sharedM, live: sharedLive, state: sharedState };
  assert.equal(
    change(shared, 'profile.small').usedBy?.map((u) => u.name),
    ['web-b'],
  );
});

test('a move to a project that has an unmanaged object of that name is refused at plan time', () => {
  const m = scoped(manifest({ images: [dImage('busybox')], instances: [dInstance('web-b')] }), [dProject('b')]);
  const l = {
    ...withProjects(live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-b')] }), lProject('b')),
    movesBlocked: { 'instance.web-b': 'a' },
  };
  const e = planError({ manifest: m, live: l, state: stateInB('project.b') });
  assert.is(e.message, 'instance "web-b" cannot move to project "a": it has an unmanaged instance of that name already');
});

test.run();
