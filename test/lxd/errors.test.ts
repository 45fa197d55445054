/**
 * What a 404 means (src/lxd/errors.ts): only "this object is not found" is gone. The messages are
 * LXD 5.0.2's own, as it answers a request scoped to a project that does not exist
 * (test/integration/project-features.test.ts asks the daemon itself).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, isProjectMissing, LxdApiError } from '../../src/lxd/errors.js';

const e404 = (path: string, lxdError: string) => new LxdApiError({ status: 404, lxdError, method: 'DELETE', path, project: 'p' });

test('the object not found is gone', () => {
  for (const [path, msg] of [
    ['/1.0/profiles/x', 'Fetch profile: Profile not found'],
    ['/1.0/networks/x', 'Network not found'],
    ['/1.0/storage-pools/default/volumes/custom/x', 'Storage pool volume not found'],
    ['/1.0/images/aliases/x', 'Image alias not found'],
    ['/1.0/instances/x', 'Instance not found'],
  ]) {
    assert.ok(isNotFound(e404(path, msg)), msg);
    assert.not.ok(isProjectMissing(e404(path, msg)), msg);
  }
});

test('a 404 because the project of the request does not exist is an error, not gone', () => {
  for (const [path, msg] of [
    ['/1.0/profiles/x', 'Failed loading project "p": Project not found'],
    ['/1.0/networks/x', 'Failed to load project "p": Project not found'],
    ['/1.0/storage-pools/default/volumes/custom/x', 'Failed to load project "p": Project not found'],
    ['/1.0/images/aliases/x', 'Check if project has images: fetch project: Project not found'],
  ]) {
    assert.not.ok(isNotFound(e404(path, msg)), msg);
    assert.ok(isProjectMissing(e404(path, msg)), msg);
  }
});

test('a project itself not found is gone', () => {
  assert.ok(isNotFound(e404('/1.0/projects/p', 'Fetch project "p": Project not found')));
  assert.ok(isNotFound(e404('/1.0/projects/p', 'Project not found')));
  assert.not.ok(isNotFound(new LxdApiError({ status: 409, lxdError: 'x', method: 'GET', path: '/1.0/profiles/x' })));
});

test.run();
