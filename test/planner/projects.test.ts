/**
 * Projects in the planner: the project object (built-in default, keys LXD fills in, features
 * only while empty, deletes only when empty) and the scope project (everything in it waits for
 * its creation, its deletion waits for everything in it; which kinds are in it depends on its
 * features). Fixtures only: what LXD does was observed on 5.0.2 (see src/resources/project/spec.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPlanDocument, toPlanDocument } from '../../src/workflow/plan-file.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { LxdProject } from '../../src/lxd/types.js';
import type { DesiredProject, Manifest } from '../../src/resources/types.js';
import {
  dImage,
  dInstance,
  dNetwork,
  dPool,
  dProfile,
  FP_A,
  lImage,
  lInstance,
  live,
  lNetwork,
  lPool,
  lProfile,
  manifest,
  planError,
  render,
  state,
} from './builders.js';

const dProject = (name: string, config: Record<string, string> = {}, extra: Partial<DesiredProject> = {}): DesiredProject => ({
  kind: 'project',
  name,
  at: { file: 'lxplan.yaml', line: 3, col: 3 },
  description: '',
  config,
  keyAt: { 'config.features.images': { file: 'lxplan.yaml', line: 5, col: 14 } },
  ...extra,
});

/** A project as LXD 5.0.2 reads it back: the defaulted features filled in, its default profile in used_by. */
const lProject = (name: string, config: Record<string, string> = {}, usedBy: string[] = []): LxdProject => ({
  name,
  description: '',
  used_by: [`/1.0/profiles/default?project=${name}`, ...usedBy],
  config: { 'features.images': 'true', 'features.profiles': 'true', 'features.storage.volumes': 'true', ...config },
});
const DEFAULT_PROJECT = lProject('default', { 'features.networks': 'true' });

/** A manifest scoped to `project`. */
const scoped = (project: string, m: Manifest): Manifest => ({ ...m, project, projectAt: { file: 'lxplan.yaml', line: 1, col: 10 } });
const withProjects = (l: ReturnType<typeof live>, ...projects: LxdProject[]) => ({
  ...l,
  projects: Object.fromEntries([DEFAULT_PROJECT, ...projects].map((p) => [p.name, p])),
});
const dependsOn = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address)?.dependsOn;

test('a new scope project: created first, everything in it waits for it (pools are global and do not)', () => {
  const m = scoped(
    'dev',
    manifest({
      images: [dImage('busybox')],
      profiles: [dProfile('small')],
      instances: [dInstance('web-1', { profiles: ['default', 'small'] })],
      storagePools: [dPool('fast')],
    }),
  );
  const input = { manifest: { ...m, projects: { dev: dProject('dev', { 'limits.instances': '10' }) } }, live: withProjects(live()), state: state() };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + project dev
      + config.limits.instances: 10
  + storage_pool fast
      + driver: dir
  + image busybox
      + fingerprint: aaaaaaaaaaaa
      + public:      false
  + profile small
  + instance web-1
      + image:    busybox
      + type:     container
      + profiles: [default, small]
      + state:    running

Plan: 5 to add, 0 to change, 0 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'project.dev'), []);
  assert.equal(dependsOn(input, 'storage_pool.fast'), []);
  assert.equal(dependsOn(input, 'image.busybox'), ['project.dev']);
  assert.equal(dependsOn(input, 'profile.small'), ['project.dev']);
  assert.equal(dependsOn(input, 'instance.web-1'), ['image.busybox', 'profile.small', 'project.dev']);
});

test('after apply: no changes, although LXD filled in features.images, features.profiles and features.storage.volumes', () => {
  const m = scoped('dev', manifest({ instances: [dInstance('web-1')], images: [dImage('busybox')] }));
  const input = {
    manifest: { ...m, projects: { dev: dProject('dev', { 'limits.instances': '10' }) } },
    live: withProjects(
      live({ instances: [lInstance('web-1')], images: [lImage(FP_A, ['busybox'])] }),
      lProject('dev', { 'limits.instances': '10' }, ['/1.0/instances/web-1?project=dev']),
    ),
    state: state('project.dev', 'instance.web-1', 'image.busybox'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test('limits change live; a feature declared differently on a non-empty project is refused, saying what it holds', () => {
  const l = withProjects(
    live({ instances: [lInstance('web-1')], images: [lImage(FP_A, ['busybox'])] }),
    lProject('dev', { 'limits.instances': '10' }, ['/1.0/instances/web-1?project=dev', '/1.0/profiles/small?project=dev']),
  );
  const m = scoped('dev', manifest({ instances: [dInstance('web-1')] }));
  const limits = {
    manifest: { ...m, projects: { dev: dProject('dev', { 'limits.instances': '20' }) } },
    live: l,
    state: state('project.dev', 'instance.web-1'),
  };
  assert.match(render(limits), '~ project dev (live)\n      ~ config.limits.instances: 10 -> 20 (live)\n');

  const features = {
    manifest: { ...m, projects: { dev: dProject('dev', { 'limits.instances': '10', 'features.images': 'false' }) } },
    live: l,
    state: state('project.dev', 'instance.web-1'),
  };
  const e = planError(features);
  assert.is(e.code, 'plan.conflict');
  assert.is(
    e.message,
    'project "dev": config.features.images cannot change: LXD changes features.images only while the project is empty, and project "dev" holds instance "web-1", profile "small"',
  );
  assert.equal(e.location, { file: 'lxplan.yaml', line: 5, col: 14 });
});

test('a feature change of an empty project is planned (live, with the rule as a note); turning features.networks on is accepted even when not empty', () => {
  const empty = {
    manifest: { ...manifest(), projects: { dev: dProject('dev', { 'features.images': 'false' }) } },
    live: withProjects(live(), lProject('dev')),
    state: state('project.dev'),
  };
  assert.match(render(empty), '~ config.features.images: true -> false (live; LXD changes features only while the project is empty)\n');

  const busy = lProject('dev', {}, ['/1.0/profiles/small?project=dev']);
  const networks = {
    manifest: { ...manifest(), projects: { dev: dProject('dev', { 'features.networks': 'true' }) } },
    live: withProjects(live(), busy),
    state: state('project.dev'),
  };
  assert.match(render(networks), '+ config.features.networks: true (live; LXD changes features only while the project is empty)');
  const off = {
    manifest: { ...manifest(), projects: { dev: dProject('dev') } },
    live: withProjects(live(), { ...busy, config: { ...busy.config, 'features.networks': 'true' } }),
    state: state('project.dev'),
  };
  assert.match(planError(off).message, 'LXD changes features.networks only while the project is empty');
});

test('the default project is built in: adopted when declared, its features never change, never deleted', () => {
  const adopt = {
    manifest: { ...manifest(), projects: { default: dProject('default', { 'limits.instances': '50' }) } },
    live: withProjects(live()),
    state: state(),
  };
  assert.match(render(adopt), '~ project default (live)  # built-in project: lxplan starts managing it\n      + config.limits.instances: 50 (live)\n');
  const features = {
    manifest: { ...manifest(), projects: { default: dProject('default', { 'features.images': 'false' }) } },
    live: withProjects(live()),
    state: state('project.default'),
  };
  assert.match(planError(features).message, 'LXD never changes the features of the default project (features.images)');
  const dropped = { manifest: manifest(), live: withProjects(live()), state: state('project.default') };
  assert.match(render(dropped), 'project default: no longer in the manifests: lxplan stops managing this built-in project and leaves it as it is');
});

test('--destroy: the scope project is deleted last, after everything in it; its default profile goes with it', () => {
  const m = scoped('dev', manifest({ instances: [dInstance('web-1')], images: [dImage('busybox')], profiles: [dProfile('small')] }));
  const input = {
    manifest: { ...m, projects: { dev: dProject('dev') } },
    live: withProjects(
      live({ instances: [lInstance('web-1')], images: [lImage(FP_A, ['busybox'])], profiles: [lProfile('small')] }),
      lProject('dev', {}, ['/1.0/instances/web-1?project=dev', `/1.0/images/${FP_A}?project=dev`, '/1.0/profiles/small?project=dev']),
    ),
    state: state('project.dev', 'instance.web-1', 'image.busybox', 'profile.small', 'profile.default'),
    options: { destroy: true },
  };
  const p = plan(input);
  assert.equal(p.changes.find((c) => c.address === 'project.dev')?.action, 'delete');
  assert.equal(dependsOn(input, 'project.dev')?.sort(), ['image.busybox', 'instance.web-1', 'profile.small']);
  assert.equal(p.summary, { add: 0, change: 0, destroy: 4 });
  assert.is(p.changes.find((c) => c.address === 'profile.default')?.reason, 'no longer in the manifests: LXD deletes this built-in profile with project "dev"');
});

test('deleting the scope project while it holds objects lxplan does not manage is refused before apply', () => {
  const input = {
    manifest: scoped('dev', manifest()),
    live: withProjects(live({ instances: [lInstance('hand-made')] }), lProject('dev', {}, ['/1.0/instances/hand-made?project=dev'])),
    state: state('project.dev'),
  };
  const e = planError(input);
  assert.is(e.message, 'project "dev" cannot be deleted: instance "hand-made" is in it (LXD deletes only empty projects) and is not managed by lxplan');
  assert.match(e.hint ?? '', 'delete instance "hand-made" from the project first');
});

test('deleting another project (not the scope) that holds anything but its default profile is refused, naming what it holds', () => {
  const input = {
    manifest: manifest(),
    live: withProjects(live(), lProject('team', {}, ['/1.0/instances/a?project=team', '/1.0/storage-pools/default/volumes/custom/data?project=team'])),
    state: state('project.team'),
  };
  const e = planError(input);
  assert.is(
    e.message,
    'project "team" cannot be deleted: LXD deletes only empty projects, and it holds instance "a", custom volume "default/data", which this plan does not delete',
  );
  const empty = { ...input, live: withProjects(live(), lProject('team')) };
  assert.match(render(empty), '- project team');
});

test("kinds whose feature is off are the default project's: they do not wait for the scope project, nor hold it", () => {
  // features.networks is off (LXD's default): the network is the default project's.
  const m = scoped('dev', manifest({ networks: [dNetwork('lxdbr1')], instances: [dInstance('web-1')], images: [dImage('busybox')] }));
  const input = { manifest: { ...m, projects: { dev: dProject('dev', { 'features.images': 'false' }) } }, live: withProjects(live()), state: state() };
  assert.equal(dependsOn(input, 'network.lxdbr1'), []);
  assert.equal(dependsOn(input, 'image.busybox'), []);
  assert.equal(dependsOn(input, 'instance.web-1'), ['image.busybox', 'project.dev']);
  // Deleting the project is not blocked by the default project's networks (lxdbr0 here).
  const del = {
    manifest: scoped('dev', manifest()),
    live: withProjects(live({ networks: [lNetwork('lxdbr0')] }), lProject('dev')),
    state: state('project.dev'),
  };
  assert.match(render(del), '- project dev');
});

test('a scope project that neither exists nor is declared is a plan error at the project: key', () => {
  const input = {
    manifest: scoped('nowhere', manifest({ instances: [dInstance('web-1')], images: [dImage('busybox')] })),
    live: withProjects(live()),
    state: state(),
  };
  const e = planError(input);
  assert.is(e.message, 'LXD project "nowhere" does not exist');
  assert.equal(e.location, { file: 'lxplan.yaml', line: 1, col: 10 });
  // Nothing to put in it (--destroy of a project already gone): fine.
  assert.is(render({ ...input, manifest: scoped('nowhere', manifest()) }), 'No changes. LXD matches the manifests.\n');
});

test('the built-in default pool stays global: an instance using it waits only for the project', () => {
  const m = scoped(
    'dev',
    manifest({
      instances: [dInstance('web-1', { devices: { root: { type: 'disk', path: '/', pool: 'default' } } })],
      images: [dImage('busybox')],
      storagePools: [dPool('default')],
    }),
  );
  const input = {
    manifest: { ...m, projects: { dev: dProject('dev') } },
    live: withProjects(live({ storagePools: [lPool('default')] })),
    state: state('storage_pool.default'),
  };
  assert.equal(dependsOn(input, 'instance.web-1'), ['image.busybox', 'project.dev']);
});

test('a plan creating a project survives a saved plan (the JSON document and its schema know the kind)', () => {
  const m = scoped('dev', manifest({ instances: [dInstance('web-1')], images: [dImage('busybox')] }));
  const p = plan({ manifest: { ...m, projects: { dev: dProject('dev', { 'limits.instances': '3' }) } }, live: withProjects(live()), state: state() });
  const doc = toPlanDocument(p, { lxplanVersion: '0.0.0' });
  assert.equal(
    doc.changes.map((c) => c.address),
    ['project.dev', 'image.busybox', 'instance.web-1'],
  );
  const back = fromPlanDocument(JSON.parse(JSON.stringify(doc)), 'plan.json');
  assert.equal(back.changes, JSON.parse(JSON.stringify(p.changes)));
});

test.run();
