/**
 * The human view, whole output per case: a change of wording, order or alignment shows here.
 * The same plans are rendered by the markdown and JSON tests (./cases.ts).
 */
import { Chalk } from 'chalk';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../../src/cli/views/plan-human.js';
import {
  blastRadius,
  createAll,
  deleteOne,
  drift,
  driftOnly,
  multiLine,
  noChanges,
  renamed,
  replaceImage,
  restart,
  restartOwed,
  sensitive,
  stateOnly,
  updateLive,
} from './cases.js';
import { change, field, planOf } from './plans.js';

test('a create lists every field, values aligned', () => {
  assert.is(
    renderPlan(createAll()),
    `lxplan will make these changes:

  + image busybox
      + fingerprint: aaaaaaaaaaaa
      + public:      false
  + profile small
      + config.limits.cpu:    1
      + config.limits.memory: 256MB
  + instance web-1
      + image:                busybox
      + type:                 container
      + profiles:             [default, small]
      + state:                running
      + config.limits.memory: 512MB

Plan: 3 to add, 0 to change, 0 to destroy.
`,
  );
});

test('a live update', () => {
  assert.is(
    renderPlan(updateLive()),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ config.limits.memory: 512MB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a restart field, lxapply restarting the instance', () => {
  assert.is(
    renderPlan(restart('now')),
    `lxplan will make these changes:

  ~ instance db-1 (restart: security.privileged)
      + config.security.privileged: true (restart)
      lxapply restarts it to apply the change

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a restart field, left pending', () => {
  assert.is(
    renderPlan(restart('pending')),
    `lxplan will make these changes:

  ~ instance db-1 (restart: security.privileged)
      + config.security.privileged: true (restart)
      restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a replace says why', () => {
  assert.is(
    renderPlan(replaceImage()),
    `lxplan will make these changes:

  -/+ instance web-1 (replace: image busybox -> alpine)
      ~ image: busybox -> alpine (replace)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
});

test('a delete is one line', () => {
  assert.is(
    renderPlan(deleteOne()),
    `lxplan will make these changes:

  - instance web-3

Plan: 0 to add, 0 to change, 1 to destroy.
`,
  );
});

test('drift comes first, and the change that reverts it is listed as usual', () => {
  assert.is(
    renderPlan(drift()),
    `Changed outside lxplan since the last apply:

  ~ instance web-1
      ~ config.limits.memory: 1GiB -> 2GiB

lxplan will make these changes:

  ~ instance web-1 (live)
      ~ config.limits.memory: 2GiB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('drift without changes still ends with the summary', () => {
  assert.is(
    renderPlan(driftOnly()),
    `Changed outside lxplan since the last apply:

  ~ instance web-1
      ~ config.limits.memory: 1GiB -> 2GiB

No changes. LXD keeps the changes made outside lxplan.
`,
  );
});

test('a profile change lists every instance using it', () => {
  assert.is(
    renderPlan(blastRadius()),
    `lxplan will make these changes:

  ~ profile small (live)
      ~ config.limits.memory:       256MB -> 512MB (live)
      + config.security.privileged: true (live)
      used by 3 instances:
        ~ web-1 (restart: security.privileged)
            ~ config.limits.memory:       256MB -> 512MB (live)
            + config.security.privileged: true (restart)
        ~ handmade (restart: security.privileged; not managed by lxplan)
            + config.security.privileged: true (restart)
          web-2 (not affected: its own config overrides these keys)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a rename', () => {
  assert.is(
    renderPlan(renamed()),
    `lxplan will make these changes:

  ~ instance web-new (renamed from web-old; live)
      ~ config.limits.memory: 512MB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('multi-line values: the text of a create, a diff of an update', () => {
  assert.is(
    renderPlan(multiLine()),
    `lxplan will make these changes:

  + instance web-1
      + image: busybox
      + config.cloud-init.user-data:
          #cloud-config
          packages:
            - nginx

          runcmd:
            - echo hi
  ~ instance web-2 (restart: cloud-init.user-data, raw.lxc)
      ~ config.cloud-init.user-data: (restart; cloud-init reads it at first boot only)
           #cloud-config
           packages:
             - nginx
          +  - curl

           runcmd:
             - echo hi
      ~ config.limits.memory: 512MB -> 1GiB (live)
      ~ config.raw.lxc: (restart)
          @@ -1,5 +1,5 @@
           lxc.line1 = 1
          -lxc.line2 = 2
          +lxc.line2 = two
           lxc.line3 = 3
           lxc.line4 = 4
           lxc.line5 = 5
          @@ -8,5 +8,5 @@
           lxc.line8 = 8
           lxc.line9 = 9
           lxc.line10 = 10
          -lxc.line11 = 11
          +lxc.line11 = eleven
           lxc.line12 = 12
      ~ config.user.motd: (live)
           hello
          -world
          \\ No newline at end of file
          +world
      restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 1 to add, 1 to change, 0 to destroy.
`,
  );
});

test('secrets read (sensitive) on both sides', () => {
  assert.is(
    renderPlan(sensitive()),
    `Changed outside lxplan since the last apply:

  ~ instance web-1
      ~ config.environment.DB_PASSWORD: (sensitive) -> (sensitive)

lxplan will make these changes:

  ~ instance web-1 (restart: cloud-init.user-data)
      ~ config.environment.DB_PASSWORD: (sensitive) -> (sensitive) (live)
      ~ config.cloud-init.user-data:    (sensitive) -> (sensitive) (restart)
      ~ config.limits.memory:           512MB -> 1GiB (live)
  ~ profile app (live)
      + config.environment.TOKEN: (sensitive) (live)
      used by 1 instance:
        ~ web-1 (live)
            + config.environment.TOKEN: (sensitive) (live)

Plan: 0 to add, 2 to change, 0 to destroy.
`,
  );
});

test('state-only notes', () => {
  assert.is(
    renderPlan(stateOnly()),
    `State only (LXD is not touched):
  profile default: no longer in the manifests: lxplan stops managing this built-in profile and leaves it as it is

No changes. LXD matches the manifests.
`,
  );
});

test('a restart still owed by an earlier apply is said, though nothing changes', () => {
  assert.is(
    renderPlan(restartOwed()),
    `Waiting for a restart (LXD has the changes; they take effect at the next start):
  instance db-1: restart pending since an earlier apply: security.privileged (lxapply --allow-restart restarts it)

No changes. LXD matches the manifests.
`,
  );
});

test('no changes is one line', () => {
  assert.is(renderPlan(noChanges()), 'No changes. LXD matches the manifests.\n');
});

test('on a terminal: glyphs and diff lines coloured, names bold, impacts dim', () => {
  const c = new Chalk({ level: 1 });
  const p = planOf([change('instance', 'web-1', 'update', { fields: [field('config.raw.lxc', 'a\nb\n', 'a\nc\n', 'restart')] })]);
  assert.is(
    renderPlan(p, c),
    `lxplan will make these changes:

  \x1b[33m~\x1b[39m \x1b[1minstance web-1\x1b[22m (restart: raw.lxc)
      \x1b[33m~\x1b[39m config.raw.lxc: \x1b[2m(restart)\x1b[22m
           a
          \x1b[31m-\x1b[39m\x1b[31mb\x1b[39m
          \x1b[32m+\x1b[39m\x1b[32mc\x1b[39m

\x1b[1mPlan: 0 to add, 1 to change, 0 to destroy.\x1b[22m
`,
  );
});

test('control characters in values are shown escaped, never sent to the terminal', () => {
  const p = planOf([
    change('instance', 'web-1', 'update', {
      fields: [field('config.user.a', 'x', 'x\x1b[2J', 'live'), field('config.user.b', 'one\ntwo\r\n', 'one\nthree\x07\n', 'live')],
    }),
  ]);
  assert.is(
    renderPlan(p),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ config.user.a: x -> "x\\u001b[2J" (live)
      ~ config.user.b: (live)
           one
          -two\\r
          +three\\u0007

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test.run();
