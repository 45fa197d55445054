/** Apply progress: finished lines only in CI logs; a live block of changes in flight on a terminal. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResourceChange } from '../../../src/planner/plan.js';
import { countDone, ProgressView } from '../../../src/cli/views/progress.js';
import { plain } from '../../../src/cli/views/style.js';

function view(live: boolean) {
  let out = '';
  let t = 1000;
  const v = new ProgressView({
    write: (s) => {
      out += s;
    },
    live,
    chalk: plain,
    now: () => t,
    intervalMs: 60_000,
  });
  return {
    v,
    out: () => out,
    tick: (ms: number) => {
      t += ms;
    },
  };
}

test('without a terminal: one line per finished change, with its duration', () => {
  const { v, out, tick } = view(false);
  v.sink({ type: 'start', address: 'image.busybox', action: 'create' });
  v.sink({ type: 'progress', address: 'image.busybox', message: 'uploading 0.5 of 1.1 MB' });
  v.sink({ type: 'start', address: 'instance.web-1', action: 'update' });
  tick(1234);
  v.sink({ type: 'done', address: 'image.busybox', action: 'create', ms: 1234 });
  v.sink({ type: 'failed', address: 'instance.web-1', action: 'update', ms: 80, error: new Error('Invalid config') });
  v.sink({ type: 'skipped', address: 'instance.web-2', because: 'image.busybox' });
  v.stop();
  assert.is(
    out(),
    'image busybox: created (1.2s)\ninstance web-1: updating failed after 0.1s: Invalid config\ninstance web-2: skipped, because image busybox failed\n',
  );
});

test('on a terminal: the changes in flight are drawn below the finished lines and redrawn in place', () => {
  const { v, out, tick } = view(true);
  v.sink({ type: 'start', address: 'image.busybox', action: 'create' });
  tick(500);
  v.sink({ type: 'progress', address: 'image.busybox', message: 'uploading 0.5 of 1.1 MB' });
  assert.equal(v.block(), ['  creating image busybox (0.5s): uploading 0.5 of 1.1 MB']);
  tick(700);
  v.sink({ type: 'done', address: 'image.busybox', action: 'create', ms: 1200 });
  v.stop();
  assert.is(
    out(),
    '  creating image busybox (0.0s)\n' +
      '\x1b[1A\x1b[0J  creating image busybox (0.5s): uploading 0.5 of 1.1 MB\n' +
      '\x1b[1A\x1b[0Jimage busybox: created (1.2s)\n',
  );
});

test('without a terminal: a change running for a minute or more gets a "still" line, so a CI log shows what lxapply waits for', () => {
  const { v, out, tick } = view(false);
  v.sink({ type: 'start', address: 'snapshot.web-1/clean', action: 'create' });
  v.sink({ type: 'start', address: 'instance.web-2', action: 'update' });
  tick(30_000);
  v.sink({ type: 'done', address: 'instance.web-2', action: 'update', ms: 30_000 });
  v.reportStillRunning();
  tick(45_000);
  v.sink({ type: 'progress', address: 'snapshot.web-1/clean', message: 'waiting for LXD' });
  v.reportStillRunning();
  v.stop();
  assert.is(out(), 'instance web-2: updated (30.0s)\nsnapshot web-1/clean: still creating after 75s (waiting for LXD)\n');
});

function change(address: string, action: ResourceChange['action'], more: Partial<ResourceChange> = {}): ResourceChange {
  const i = address.indexOf('.');
  return {
    address,
    kind: address.slice(0, i) as ResourceChange['kind'],
    name: address.slice(i + 1),
    action,
    fields: [],
    stateOp: 'keep',
    dependsOn: [],
    ...more,
  };
}

test('every change an apply counts has its line: state-only noops too, renames and restarts say so', () => {
  const changes = [
    change('profile.small', 'update'),
    change('instance.web-1', 'noop', { stateOp: 'add', stateAttributes: { pending_restart: 'limits.cpu,raw.lxc' } }),
    change('instance.web-2', 'update', { renamedFrom: 'web-old', restart: 'now' }),
    change('instance.gone', 'noop', { stateOp: 'remove', reason: 'already gone from LXD' }),
  ];
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  let out = '';
  const v = new ProgressView({
    write: (s) => {
      out += s;
    },
    live: false,
    chalk: plain,
    change: (a) => byAddress.get(a),
    intervalMs: 60_000,
  });
  v.sink({ type: 'start', address: 'profile.small', action: 'update' });
  v.sink({ type: 'done', address: 'profile.small', action: 'update', ms: 100 });
  v.sink({ type: 'start', address: 'instance.web-1', action: 'noop' });
  v.sink({ type: 'done', address: 'instance.web-1', action: 'noop', ms: 1 });
  v.sink({ type: 'done', address: 'instance.web-2', action: 'update', ms: 2500 });
  v.sink({ type: 'done', address: 'instance.gone', action: 'noop', ms: 1 });
  v.stop();
  assert.is(
    out,
    `profile small: updated (0.1s)
instance web-1: recorded in the state: restart pending (limits.cpu, raw.lxc): it takes effect at the next start
instance web-2: updated, renamed from web-old, restarted (2.5s)
instance gone: removed from the state: already gone from LXD
`,
  );
  assert.is(countDone(changes), '2 updated in LXD, 2 recorded in the state only');
});

test('countDone: a replace is one replaced object; nothing in LXD is said so', () => {
  assert.is(
    countDone([change('instance.a', 'create'), change('instance.b', 'replace'), change('image.c', 'delete'), change('instance.d', 'create')]),
    '2 created, 1 replaced, 1 deleted in LXD',
  );
  assert.is(countDone([change('instance.a', 'noop', { stateOp: 'add' })]), 'nothing changed in LXD, 1 recorded in the state only');
});

test.run();
