/** What lxapply --restore records in the state: what it rolled back (not drift), and nothing else. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashSecret } from '../../src/planner/fields.js';
import type { State } from '../../src/state/model.js';
import { recordRestore } from '../../src/workflow/restore.js';
import { dInstance, lInstance, manifest, state } from '../planner/builders.js';

const entryState = (fields: Record<string, string>, attributes: Record<string, string> = {}): State => ({
  ...state(),
  resources: { 'instance.web-1': { kind: 'instance', name: 'web-1', since: 'then', attributes: { image: 'busybox', ...attributes }, fields } },
});

test('the fields the restore changed are recorded as LXD has them; drift from before stays; secrets stay hashed', () => {
  const m = manifest({
    instances: [dInstance('web-1', { config: { 'user.stage': 'two', 'user.other': 'x', 'user.token': 'new' }, sensitive: ['user.token'] })],
  });
  const s = entryState({ 'config.user.stage': 'two', 'config.user.other': 'x', 'config.user.token': hashSecret('new'), image: 'busybox' });
  // user.other was changed by hand to y before the restore, and the snapshot has y too.
  const before = lInstance('web-1', { config: { 'user.stage': 'two', 'user.other': 'y', 'user.token': 'new' } });
  const after = lInstance('web-1', { config: { 'user.stage': 'one', 'user.other': 'y', 'user.token': 'old', 'user.extra': 'then' } });
  const e = recordRestore(s, m, 'web-1', before, after).resources['instance.web-1'];
  assert.equal(e.fields, {
    'config.user.extra': 'then',
    'config.user.other': 'x',
    'config.user.stage': 'one',
    'config.user.token': hashSecret('old'),
    image: 'busybox',
  });
  assert.equal(e.attributes, { image: 'busybox' });
});

test('a running instance restored (LXD restarts it) has no restart pending any more; a stopped one keeps it', () => {
  const m = manifest({ instances: [dInstance('web-1')] });
  const s = entryState({ image: 'busybox' }, { pending_restart: 'security.privileged' });
  const inst = lInstance('web-1');
  assert.equal(recordRestore(s, m, 'web-1', inst, inst).resources['instance.web-1'].attributes, { image: 'busybox' });
  const stopped = lInstance('web-1', { status: 'Stopped' });
  assert.equal(recordRestore(s, m, 'web-1', stopped, stopped).resources['instance.web-1'].attributes, {
    image: 'busybox',
    pending_restart: 'security.privileged',
  });
});

test.run();
