/**
 * Objects of a scope project that lacks the matching features.* (issue 10 items 2-4, issue 11
 * item 10), in the planner: they live in the default project (resources/where.ts), so each change
 * is made there (`project: default`, what the executor scopes its client to), does not wait for
 * the scope project nor hold it, and the plan says where. A network that a project's default
 * profile uses is deleted after the project that takes the profile away.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPlanDocument, toPlanDocument } from '../../src/workflow/plan-file.js';
import { renderPlanMarkdown } from '../../src/cli/views/plan-markdown.js';
import type { LxdProject } from '../../src/lxd/types.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { DesiredProject, Manifest } from '../../src/resources/types.js';
import { dNetwork, dProfile, dVolume, live, lNetwork, lProfile, lVolume, manifest, planError, render, state } from './builders.js';

const OFF = { 'features.profiles': 'false', 'features.networks': 'false', 'features.storage.volumes': 'false' };
const dProject = (name: string, config: Record<string, string>): DesiredProject => ({
  kind: 'project',
  name,
  at: { file: 'lxplan.yaml', line: 3, col: 3 },
  description: '',
  config,
});
const lProject = (name: string, config: Record<string, string>, usedBy: string[] = []): LxdProject => ({
  name,
  description: '',
  used_by: usedBy,
  config: { 'features.images': 'true', 'features.profiles': 'true', 'features.storage.volumes': 'true', ...config },
});
const DEFAULT_PROJECT = lProject('default', { 'features.networks': 'true' });
const withProjects = (l: ReturnType<typeof live>, ...projects: LxdProject[]) => ({
  ...l,
  projects: Object.fromEntries([DEFAULT_PROJECT, ...projects].map((p) => [p.name, p])),
});
const scoped = (m: Manifest, config: Record<string, string>): Manifest => ({
  ...m,
  project: 'dev',
  projectAt: { file: 'lxplan.yaml', line: 1, col: 10 },
  projects: { dev: dProject('dev', config) },
});
const change = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address)!;

const objects = () =>
  manifest({
    profiles: [dProfile('tiny')],
    networks: [dNetwork('br', { config: { 'ipv4.address': '10.210.1.1/24' } })],
    storageVolumes: [dVolume('default/data')],
  });

test('a new scope project without features: its profile, network and volume are made in the default project, not after the project; the plan says where', () => {
  const input = { manifest: scoped(objects(), OFF), live: withProjects(live()), state: state() };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + project dev
      + config.features.networks:        false
      + config.features.profiles:        false
      + config.features.storage.volumes: false
  + network br (in project default)
      + type:                bridge
      + config.ipv4.address: 10.210.1.1/24
  + storage_volume default/data (in project default)
      + content_type: filesystem
  + profile tiny (in project default)

Plan: 4 to add, 0 to change, 0 to destroy.
`,
  );
  for (const a of ['profile.tiny', 'network.br', 'storage_volume.default/data']) {
    const c = change(input, a);
    assert.is(c.project, 'default', a);
    assert.equal(c.dependsOn, [], a);
  }
  assert.is(change(input, 'project.dev').project, undefined);
  // The JSON document says it too, and reads back the same.
  const doc = toPlanDocument(plan(input), { lxplanVersion: '0.0.0' });
  assert.is(doc.changes.find((c) => c.address === 'profile.tiny')?.project, 'default');
  assert.equal(fromPlanDocument(JSON.parse(JSON.stringify(doc)), 'plan.json').changes, JSON.parse(JSON.stringify(plan(input).changes)));
  assert.match(renderPlanMarkdown(plan(input)), '- **+ create** `profile tiny` (in project default)\n');
});

test('with the features on, the same objects are the scope project\'s: made after it, and nothing says "in project"', () => {
  const input = { manifest: scoped(objects(), { 'features.networks': 'true' }), live: withProjects(live()), state: state() };
  for (const a of ['profile.tiny', 'network.br', 'storage_volume.default/data']) {
    const c = change(input, a);
    assert.is(c.project, undefined, a);
    assert.equal(c.dependsOn, ['project.dev'], a);
  }
  assert.not.match(render(input), 'in project');
});

test('--destroy of a project without features: its objects are deleted in the default project, and neither waits for the other', () => {
  // As LXD reads them through ?project=dev while dev exists: the default project's.
  const l = withProjects(
    live({
      profiles: [lProfile('tiny')],
      networks: [lNetwork('br', { config: { 'ipv4.address': '10.210.1.1/24' } })],
      storageVolumes: [lVolume('default/data')],
    }),
    lProject('dev', OFF),
  );
  const input = {
    manifest: scoped(objects(), OFF),
    live: l,
    state: state('project.dev', 'profile.tiny', 'network.br', 'storage_volume.default/data'),
    options: { destroy: true },
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - project dev
  - network br (in project default)
  - storage_volume default/data (in project default)
  - profile tiny (in project default)

Plan: 0 to add, 0 to change, 4 to destroy.
`,
  );
  assert.equal(change(input, 'project.dev').dependsOn, []);
  for (const a of ['profile.tiny', 'network.br', 'storage_volume.default/data']) {
    assert.is(change(input, a).project, 'default', a);
    assert.equal(change(input, a).dependsOn, [], a);
  }
});

test("--destroy: a network of the default project used by the scope's default profile is deleted after the project (which takes the profile away)", () => {
  const nic = { eth0: { type: 'nic', network: 'br', name: 'eth0' } };
  const m = scoped(manifest({ networks: [dNetwork('br')], profiles: [dProfile('default', { devices: nic })] }), {});
  const l = withProjects(
    live({ networks: [lNetwork('br')], profiles: [lProfile('default', { devices: nic })] }),
    lProject('dev', {}, ['/1.0/profiles/default?project=dev']),
  );
  const input = { manifest: m, live: l, state: state('project.dev', 'network.br', 'profile.default'), options: { destroy: true } };
  const p = plan(input);
  assert.equal(change(input, 'network.br').dependsOn, ['project.dev']);
  assert.is(change(input, 'network.br').project, 'default');
  assert.equal(change(input, 'project.dev').dependsOn, []);
  assert.equal(p.summary, { add: 0, change: 0, destroy: 2 });
});

test('--destroy: a network inside the project, used by its default profile, cannot wait for the project (it must go first): refused, as LXD would', () => {
  const nic = { eth0: { type: 'nic', network: 'br', name: 'eth0' } };
  const ON = { 'features.networks': 'true' };
  const m = scoped(manifest({ networks: [dNetwork('br')], profiles: [dProfile('default', { devices: nic })] }), ON);
  const l = withProjects(
    live({ networks: [lNetwork('br')], profiles: [lProfile('default', { devices: nic })] }),
    lProject('dev', ON, ['/1.0/profiles/default?project=dev', '/1.0/networks/br?project=dev']),
  );
  const input = { manifest: m, live: l, state: state('project.dev', 'network.br', 'profile.default'), options: { destroy: true } };
  assert.is(planError(input).message, 'network "br" cannot be deleted: profile "default" uses it');
});

test.run();
