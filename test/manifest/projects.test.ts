/** projects: and the top-level project: key in manifests: loading, the scope, checked keys and values. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { resolveProject } from '../../src/workflow/project-scope.js';
import { described, loadError, tree } from './helpers.js';

const VALID = `project: dev
projects:
  dev:
    description: Development
    config: {features.images: true, features.profiles: "true", limits.instances: 10, limits.memory: 8GB, restricted: false, user.team: web}
`;

test('projects: loads as project objects (every value a string as written); project: is the scope, with its place', async () => {
  const dir = await tree({ 'm.yaml': VALID });
  const m = await loadManifests(dir);
  assert.equal(m.project, 'dev');
  assert.equal(m.projectAt, { file: `${dir}/m.yaml`, line: 1, col: 10 });
  const p = m.projects!.dev;
  assert.is(p.kind, 'project');
  assert.is(p.description, 'Development');
  assert.equal(p.config, {
    'features.images': 'true',
    'features.profiles': 'true',
    'limits.instances': '10',
    'limits.memory': '8GB',
    restricted: 'false',
    'user.team': 'web',
  });
});

test('files of one directory naming different projects: one error naming both places', async () => {
  const dir = await tree({ 'a.yaml': 'project: dev\n', 'b.yaml': 'project: prod\n', 'c.yaml': 'profiles: {small: {}}\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/b.yaml:1:10: the files of one directory name different LXD projects: "dev" at ${dir}/a.yaml:1:10 and "prod" at ${dir}/b.yaml:1:10\n  hint: all objects of a directory live in one project: make the project: keys agree, or move the objects of the other project to their own directory`,
  ]);
});

test('project config: unknown keys are reported at the key (with a did you mean), bad values at the value', async () => {
  const dir = await tree({
    'm.yaml': `projects:
  dev:
    config:
      limits.instance: 10
      limits.containers: ten
      features.images: maybe
      limits.disk: 12XB
`,
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:4:7: unknown project config key "limits.instance" (project "dev")\n  hint: did you mean "limits.instances"?`,
    `${dir}/m.yaml:5:26: invalid value "ten" for limits.containers: use a whole number (0 or more) (project "dev")`,
    `${dir}/m.yaml:6:24: invalid value "maybe" for features.images: use "true" or "false" (project "dev")\n  hint: features are "true" or "false"; LXD changes them only while the project is empty`,
    `${dir}/m.yaml:7:20: invalid value "12XB" for limits.disk: use a size with a unit like 10GB or 10GiB (project "dev")`,
  ]);
});

test('project: on an instance is kept; on a profile it is not supported yet, on a storage pool it is refused as global', async () => {
  const ok = await loadManifests(await tree({ 'm.yaml': 'instances:\n  web-1:\n    image: busybox\n    project: dev\n' }));
  assert.is(ok.instances['web-1'].project, 'dev');
  assert.ok(ok.instances['web-1'].keyAt?.project);
  const dir = await tree({ 'm.yaml': 'profiles:\n  small:\n    project: dev\nstorage_pools:\n  fast:\n    driver: dir\n    project: dev\n' });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:3:5: project: on profile "small" is not supported yet (only instances and images take project:)\n  hint: put objects of another project in their own directory with a top-level project: NAME`,
    `${dir}/m.yaml:7:5: project: on storage_pool "fast": storage pools are global, not inside a project\n  hint: remove the project: key`,
  ]);
});

test('the scope: project: key, else --project / LXPLAN_PROJECT, else default; both and different is an error', async () => {
  const dir = await tree({ 'm.yaml': 'project: dev\n' });
  const m = await loadManifests(dir);
  assert.is(resolveProject(undefined, m), 'dev');
  assert.is(resolveProject('dev', m), 'dev');
  assert.throws(
    () => resolveProject('prod', m),
    (e: Error) => e.message === `--project (or LXPLAN_PROJECT) says "prod" and the manifests say project: dev at ${dir}/m.yaml:1:10`,
  );
  const none = await loadManifests(await tree({ 'm.yaml': 'profiles: {small: {}}\n' }));
  assert.is(resolveProject('prod', none), 'prod');
  assert.is(resolveProject(undefined, none), 'default');
});

test.run();
