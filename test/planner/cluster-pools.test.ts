/**
 * Storage pools on a cluster in the planner: each member's own keys under members:, compared
 * with what each member has; the errors for members: without a cluster, an unknown member, and
 * a member-specific key in the global config of a clustered pool.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { LiveSnapshot } from '../../src/resources/spec.js';
import type { DesiredStoragePool } from '../../src/resources/types.js';
import { dPool, live, lPool, manifest, planError, render, state } from './builders.js';

const CLUSTER = { members: { m1: ['default'], m2: ['default'] } };
const at = { file: 'lxplan.yaml', line: 27, col: 7 };

/** Pool "fast" declared with `d`; in LXD (unless `perMember` is null) with each member's keys. */
function input(d: Partial<DesiredStoragePool>, perMember: Record<string, Record<string, string>> | null, onCluster = true): PlanInput {
  const base = live(perMember ? { storagePools: [lPool('fast', { config: {} })] } : {});
  const lv: LiveSnapshot = onCluster ? { ...base, cluster: CLUSTER, ...(perMember ? { storagePoolMembers: { fast: perMember } } : {}) } : base;
  return { manifest: manifest({ storagePools: [dPool('fast', d)] }), live: lv, state: perMember ? state('storage_pool.fast') : state() };
}

test("a pool made on each member with its own source: the plan shows each member's keys", () => {
  assert.is(
    render(input({ members: { m1: { source: '/srv/a' }, m2: { source: '/srv/b' } } }, null)),
    `lxplan will make these changes:

  + storage_pool fast
      + driver:            dir
      + members.m1.source: /srv/a
      + members.m2.source: /srv/b

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  );
});

test("each member's keys compared with what that member has; a changed source replaces the pool", () => {
  const same = plan(input({ members: { m1: { source: '/srv/a' }, m2: { source: '/srv/b' } } }, { m1: { source: '/srv/a' }, m2: { source: '/srv/b' } }));
  assert.is(same.changes.find((c) => c.name === 'fast')!.action, 'noop');
  assert.is(
    render(input({ members: { m1: { source: '/srv/a' }, m2: { source: '/srv/c' } } }, { m1: { source: '/srv/a' }, m2: { source: '/srv/b' } })),
    `lxplan will make these changes:

  -/+ storage_pool fast (replace: members.m2.source /srv/b -> /srv/c)
      ~ members.m2.source: /srv/b -> /srv/c (replace; LXD deletes a pool only when it holds no volumes and no instance uses it)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
  // A member not declared is not compared (LXD gave it its own source).
  const one = plan(input({ members: { m1: { source: '/srv/a' } } }, { m1: { source: '/srv/a' }, m2: { source: '/var/lib/lxd/storage-pools/fast' } }));
  assert.is(one.changes.find((c) => c.name === 'fast')!.action, 'noop');
});

test('members: on a daemon that is not clustered, an unknown member, a member key in config: errors at the key', () => {
  const off = planError(input({ members: { m1: { source: '/srv/a' } }, keyAt: { members: at } }, null, false));
  assert.is(off.message, 'storage pool "fast" has members:, but the daemon is not clustered');
  assert.equal(off.location, at);
  const unknown = planError(input({ members: { m3: { source: '/srv/a' } }, keyAt: { 'members.m3': at } }, null));
  assert.is(unknown.message, 'storage pool "fast": members: names m3, which is not a member of this cluster (members: m1, m2)');
  assert.equal(unknown.location, at);
  const global = planError(input({ config: { source: '/srv/a' }, keyAt: { 'config.source': at } }, null));
  assert.is(global.message, 'storage pool "fast": source is member-specific on a cluster: each member has its own');
  assert.is(global.hint, 'declare it per member: members: {m1: {source: ...}, m2: {source: ...}}');
  assert.equal(global.location, at);
});

test.run();
