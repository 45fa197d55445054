/**
 * What differs between LXD and Incus per kind, kept in each kind's folder: the features a
 * daemon turns on for a new project (project/daemons.ts), project keys needing an API extension,
 * the default profile a new project gets (profile/live.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// The kinds' registry first: a kind's spec imported alone meets the registry half-initialised.
import '../../src/resources/index.js';
import type { LxdServer } from '../../src/lxd/types.js';
import { checkProjectKeys, defaultFeatures } from '../../src/resources/project/daemons.js';
import { projectFilledKeys } from '../../src/resources/project/spec.js';
import { newProjectDefaultProfile } from '../../src/resources/profile/live.js';
import type { Manifest } from '../../src/resources/types.js';

const lxd: LxdServer = { api_version: '1.0', api_extensions: ['projects'], environment: { server: 'lxd', server_version: '5.0.2' } };
const incus: LxdServer = {
  api_version: '1.0',
  api_extensions: ['projects', 'storage_buckets', 'projects_networks_zones'],
  environment: { server: 'incus', server_version: '6.0.4' },
};

test("projects: Incus's features.storage.buckets is the daemon's (filled), LXD 5.0.2 has no such key", () => {
  assert.equal(defaultFeatures(lxd), ['features.images', 'features.profiles', 'features.storage.volumes']);
  assert.ok(defaultFeatures(incus).includes('features.storage.buckets'));
  assert.ok(projectFilledKeys('dev', incus)('features.storage.buckets'));
  assert.not.ok(projectFilledKeys('dev', lxd)('features.storage.buckets'));
  assert.not.ok(projectFilledKeys('dev', incus)('limits.cpu'));
});

test('projects: a key the daemon lacks the API extension for is a plan-time error at the key', () => {
  const at = { file: 'p.yaml', line: 3, col: 5 };
  const m = {
    projects: {
      dev: {
        kind: 'project',
        name: 'dev',
        at: { file: 'p.yaml', line: 2, col: 3 },
        keyAt: { 'config.features.storage.buckets': at },
        description: '',
        config: { 'features.storage.buckets': 'false', 'limits.cpu': '2' },
      },
    },
  } as unknown as Manifest;
  const errors = checkProjectKeys(m, lxd);
  assert.is(errors.length, 1);
  assert.match(errors[0].message, 'project "dev": config key features.storage.buckets needs the API extension "storage_buckets"');
  assert.match(errors[0].message, 'LXD 5.0.2');
  assert.equal(errors[0].location, at);
  assert.equal(checkProjectKeys(m, incus), []);
});

test("profiles: a new project's default profile is described as its daemon describes it", () => {
  assert.is(newProjectDefaultProfile('dev', lxd).description, 'Default LXD profile for project dev');
  assert.is(newProjectDefaultProfile('dev', incus).description, 'Default Incus profile for project dev');
  assert.is(newProjectDefaultProfile('dev').description, 'Default LXD profile for project dev');
});

test.run();
