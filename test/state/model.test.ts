import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyState, withEntry, withoutEntry } from '../../src/state/index.js';
import { entry } from './helpers.js';

test('emptyState: version 1, serial 0, a fresh uuid lineage each time', () => {
  const a = emptyState();
  const b = emptyState();
  assert.is(a.version, 1);
  assert.is(a.serial, 0);
  assert.equal(a.resources, {});
  assert.match(a.lineage, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.is.not(a.lineage, b.lineage);
});

test('withEntry / withoutEntry never mutate their input', () => {
  const s0 = emptyState();
  const s1 = withEntry(s0, 'profile.small', entry('profile.small'));
  assert.equal(s0.resources, {});
  assert.equal(Object.keys(s1.resources), ['profile.small']);
  assert.is(s1.lineage, s0.lineage);
  const s2 = withoutEntry(s1, 'profile.small');
  assert.equal(Object.keys(s1.resources), ['profile.small']);
  assert.equal(s2.resources, {});
});

test('withEntry replaces; withoutEntry of an absent address returns the same state', () => {
  const s1 = withEntry(emptyState(), 'image.busybox', entry('image.busybox', { fingerprint: 'aa' }));
  const s2 = withEntry(s1, 'image.busybox', entry('image.busybox', { fingerprint: 'bb' }));
  assert.is(s2.resources['image.busybox'].fingerprint, 'bb');
  assert.is(withoutEntry(s2, 'instance.none'), s2);
  assert.is(withoutEntry(s2, 'constructor'), s2);
});

test.run();
