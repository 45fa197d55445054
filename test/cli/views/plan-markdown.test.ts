/**
 * The markdown view (a pull-request comment), whole output per case, from the same plans as the
 * human view (./cases.ts): the summary, one bullet per change, drift, then the human plan in a
 * ```diff block with each glyph at column 0.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeSpan, COMMENT_LIMIT, escapeMarkdown, renderPlanMarkdown, renderRefreshMarkdown } from '../../../src/cli/views/plan-markdown.js';
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
    renderPlanMarkdown(createAll()),
    `**Plan: 3 to add, 0 to change, 0 to destroy.**

- **+ create** \`image busybox\`
- **+ create** \`profile small\`
- **+ create** \`instance web-1\`

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

+ image busybox
+     fingerprint: aaaaaaaaaaaa
+     public:      false
+ profile small
+     config.limits.cpu:    1
+     config.limits.memory: 256MB
+ instance web-1
+     image:                busybox
+     type:                 container
+     profiles:             [default, small]
+     state:                running
+     config.limits.memory: 512MB

Plan: 3 to add, 0 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('a live update', () => {
  assert.is(
    renderPlanMarkdown(updateLive()),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`instance web-1\` (live)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

! instance web-1 (live)
!     config.limits.memory: 512MB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('a restart field, lxapply restarting the instance', () => {
  assert.is(
    renderPlanMarkdown(restart('now')),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`instance db-1\` (restart: security.privileged; lxapply restarts it)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

! instance db-1 (restart: security.privileged)
+     config.security.privileged: true (restart)
    lxapply restarts it to apply the change

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('a restart field, left pending', () => {
  assert.is(
    renderPlanMarkdown(restart('pending')),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`instance db-1\` (restart: security.privileged; takes effect at the next start)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

! instance db-1 (restart: security.privileged)
+     config.security.privileged: true (restart)
    restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('a replace says why', () => {
  assert.is(
    renderPlanMarkdown(replaceImage()),
    `**Plan: 1 to add, 0 to change, 1 to destroy.**

- **-/+ replace** \`instance web-1\` (replace: image busybox -> alpine)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

-/+ instance web-1 (replace: image busybox -> alpine)
!     image: busybox -> alpine (replace)

Plan: 1 to add, 0 to change, 1 to destroy.
\`\`\`

</details>
`,
  );
});

test('a delete is one line', () => {
  assert.is(
    renderPlanMarkdown(deleteOne()),
    `**Plan: 0 to add, 0 to change, 1 to destroy.**

- **- delete** \`instance web-3\`

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

- instance web-3

Plan: 0 to add, 0 to change, 1 to destroy.
\`\`\`

</details>
`,
  );
});

test('drift comes first, and the change that reverts it is listed as usual', () => {
  assert.is(
    renderPlanMarkdown(drift()),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`instance web-1\` (live)

> **Changed outside lxplan since the last apply:** \`instance web-1\` (config.limits.memory).

<details><summary>Details</summary>

\`\`\`diff
Changed outside lxplan since the last apply:

! instance web-1
!     config.limits.memory: 1GiB -> 2GiB

lxplan will make these changes:

! instance web-1 (live)
!     config.limits.memory: 2GiB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('drift without changes still ends with the summary', () => {
  assert.is(
    renderPlanMarkdown(driftOnly()),
    `**No changes.** LXD keeps the changes made outside lxplan.

> **Changed outside lxplan since the last apply:** \`instance web-1\` (config.limits.memory).

<details><summary>Details</summary>

\`\`\`diff
Changed outside lxplan since the last apply:

! instance web-1
!     config.limits.memory: 1GiB -> 2GiB

No changes. LXD keeps the changes made outside lxplan.
\`\`\`

</details>
`,
  );
});

test('--refresh-only --format markdown: what was recorded, then the drift; no plan summary', () => {
  assert.is(
    renderRefreshMarkdown(driftOnly(), 'State refreshed from LXD: 1 object(s) recorded, 1 with drift; LXD was not changed.'),
    `**State refreshed from LXD: 1 object(s) recorded, 1 with drift; LXD was not changed.**

> **Changed outside lxplan since the last apply:** \`instance web-1\` (config.limits.memory).

<details><summary>Details</summary>

\`\`\`diff
Changed outside lxplan since the last apply:

! instance web-1
!     config.limits.memory: 1GiB -> 2GiB
\`\`\`

</details>
`,
  );
});

test('a profile change lists every instance using it', () => {
  assert.is(
    renderPlanMarkdown(blastRadius()),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`profile small\` (live) — used by 3 instances, 2 affected

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

! profile small (live)
!     config.limits.memory:       256MB -> 512MB (live)
+     config.security.privileged: true (live)
    used by 3 instances:
!       web-1 (restart: security.privileged)
!           config.limits.memory:       256MB -> 512MB (live)
+           config.security.privileged: true (restart)
!       handmade (restart: security.privileged; not managed by lxplan)
+           config.security.privileged: true (restart)
        web-2 (not affected: its own config overrides these keys)

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('a rename', () => {
  assert.is(
    renderPlanMarkdown(renamed()),
    `**Plan: 0 to add, 1 to change, 0 to destroy.**

- **~ update** \`instance web-new\` (renamed from web-old; live)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

! instance web-new (renamed from web-old; live)
!     config.limits.memory: 512MB -> 1GiB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('multi-line values: the text of a create, a diff of an update', () => {
  assert.is(
    renderPlanMarkdown(multiLine()),
    `**Plan: 1 to add, 1 to change, 0 to destroy.**

- **+ create** \`instance web-1\`
- **~ update** \`instance web-2\` (restart: cloud-init.user-data, raw.lxc; takes effect at the next start)

<details><summary>Details</summary>

\`\`\`diff
lxplan will make these changes:

+ instance web-1
+     image: busybox
+     config.cloud-init.user-data:
        #cloud-config
        packages:
          - nginx

        runcmd:
          - echo hi
! instance web-2 (restart: cloud-init.user-data, raw.lxc)
!     config.cloud-init.user-data: (restart; cloud-init reads it at first boot only)
         #cloud-config
         packages:
           - nginx
+          - curl

         runcmd:
           - echo hi
!     config.limits.memory: 512MB -> 1GiB (live)
!     config.raw.lxc: (restart)
        @@ -1,5 +1,5 @@
         lxc.line1 = 1
-        lxc.line2 = 2
+        lxc.line2 = two
         lxc.line3 = 3
         lxc.line4 = 4
         lxc.line5 = 5
        @@ -8,5 +8,5 @@
         lxc.line8 = 8
         lxc.line9 = 9
         lxc.line10 = 10
-        lxc.line11 = 11
+        lxc.line11 = eleven
         lxc.line12 = 12
!     config.user.motd: (live)
         hello
-        world
        \\ No newline at end of file
+        world
    restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 1 to add, 1 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('secrets read (sensitive) on both sides', () => {
  assert.is(
    renderPlanMarkdown(sensitive()),
    `**Plan: 0 to add, 2 to change, 0 to destroy.**

- **~ update** \`instance web-1\` (restart: cloud-init.user-data)
- **~ update** \`profile app\` (live) — used by 1 instance, 1 affected

> **Changed outside lxplan since the last apply:** \`instance web-1\` (config.environment.DB\\_PASSWORD).

<details><summary>Details</summary>

\`\`\`diff
Changed outside lxplan since the last apply:

! instance web-1
!     config.environment.DB_PASSWORD: (sensitive) -> (sensitive)

lxplan will make these changes:

! instance web-1 (restart: cloud-init.user-data)
!     config.environment.DB_PASSWORD: (sensitive) -> (sensitive) (live)
!     config.cloud-init.user-data:    (sensitive) -> (sensitive) (restart)
!     config.limits.memory:           512MB -> 1GiB (live)
! profile app (live)
+     config.environment.TOKEN: (sensitive) (live)
    used by 1 instance:
!       web-1 (live)
+           config.environment.TOKEN: (sensitive) (live)

Plan: 0 to add, 2 to change, 0 to destroy.
\`\`\`

</details>
`,
  );
});

test('state-only notes', () => {
  assert.is(
    renderPlanMarkdown(stateOnly()),
    `**No changes.** LXD matches the manifests.

State only (LXD is not touched):

- \`profile default\` — no longer in the manifests: lxplan stops managing this built-in profile and leaves it as it is

<details><summary>Details</summary>

\`\`\`diff
State only (LXD is not touched):
profile default: no longer in the manifests: lxplan stops managing this built-in profile and leaves it as it is

No changes. LXD matches the manifests.
\`\`\`

</details>
`,
  );
});

test('a restart still owed by an earlier apply', () => {
  assert.is(
    renderPlanMarkdown(restartOwed()),
    `**No changes.** LXD matches the manifests.

Waiting for a restart (LXD has the changes; they take effect at the next start):

- \`instance db-1\` — restart pending since an earlier apply: security.privileged (lxapply --allow-restart restarts it)

<details><summary>Details</summary>

\`\`\`diff
Waiting for a restart (LXD has the changes; they take effect at the next start):
instance db-1: restart pending since an earlier apply: security.privileged (lxapply --allow-restart restarts it)

No changes. LXD matches the manifests.
\`\`\`

</details>
`,
  );
});

test('no changes is one line', () => {
  assert.is(renderPlanMarkdown(noChanges()), '**No changes.** LXD matches the manifests.\n');
});

test('names and reasons cannot break the markdown, values cannot close the fence', () => {
  const p = planOf([
    change('profile', 'a`b_c*', 'create', {
      reason: 'made by <script>alert(1)</script> & ~friends~ [x](y)',
      fields: [field('config.user.note', undefined, 'see:\n```\ncode\n```\n')],
    }),
  ]);
  assert.is(
    renderPlanMarkdown(p),
    `**Plan: 1 to add, 0 to change, 0 to destroy.**

- **+ create** \`\`profile a\`b_c*\`\` — made by \\<script>alert(1)\\</script> \\& \\~friends\\~ \\[x\\](y)

<details><summary>Details</summary>

\`\`\`\`diff
lxplan will make these changes:

+ profile a\`b_c*  # made by <script>alert(1)</script> & ~friends~ [x](y)
+     config.user.note:
        see:
        \`\`\`
        code
        \`\`\`

Plan: 1 to add, 0 to change, 0 to destroy.
\`\`\`\`

</details>
`,
  );
});

test('code spans and escapes', () => {
  assert.is(codeSpan('web-1'), '`web-1`');
  assert.is(codeSpan('a`b'), '``a`b``');
  assert.is(codeSpan('`a'), '`` `a ``');
  assert.is(escapeMarkdown('deny_default *x* <b> a\\b'), 'deny\\_default \\*x\\* \\<b> a\\\\b');
});

test('long drift is summed up in the call-out', () => {
  const p = planOf([change('instance', 'web-1', 'noop', { drift: ['a', 'b', 'c', 'd', 'e'].map((k) => field(`config.user.${k}`, '1', '2')) })]);
  assert.ok(
    renderPlanMarkdown(p).includes(
      '\n> **Changed outside lxplan since the last apply:** `instance web-1` (config.user.a, config.user.b, config.user.c and 2 more).\n',
    ),
  );
});

test('a plan too big for a pull-request comment drops the details first, then the bullets that do not fit, saying so; the summary stays', () => {
  const many = (n: number) =>
    planOf(
      Array.from({ length: n }, (_, i) =>
        change('profile', `p-${String(i).padStart(5, '0')}`, 'create', { fields: [field('config.limits.memory', undefined, '256MB')] }),
      ),
    );
  // 1,000 creates: the bullets fit, the details do not.
  const medium = renderPlanMarkdown(many(1000));
  assert.ok(medium.length <= COMMENT_LIMIT, `${medium.length} characters`);
  assert.ok(medium.startsWith('**Plan: 1000 to add, 0 to change, 0 to destroy.**\n\n- **+ create** `profile p-00000`\n'));
  assert.ok(medium.includes('- **+ create** `profile p-00999`'));
  assert.not.ok(medium.includes('<details>'));
  assert.ok(
    medium.endsWith(
      '_The details (2004 lines) are left out: the comment would pass the 65,536 characters a pull-request comment holds. The full plan is in the output of `lxplan` (the CI log), and in `lxplan --json`._\n',
    ),
  );
  // 10,000 creates: as many bullets as fit, and how many more.
  const big = renderPlanMarkdown(many(10_000));
  assert.ok(big.length <= COMMENT_LIMIT && big.length > COMMENT_LIMIT - 200, `${big.length} characters`);
  const kept = big.split('\n').filter((l) => l.startsWith('- **+ create**')).length;
  assert.ok(big.startsWith('**Plan: 10000 to add, 0 to change, 0 to destroy.**\n\n'));
  assert.ok(big.includes(`\n- … and ${10_000 - kept} more changes\n`), 'says how many are left out');
  assert.ok(big.includes('_The details and the other changes are left out'));
  // A small plan is as before, whatever the limit.
  assert.is(renderPlanMarkdown(createAll(), 100_000), renderPlanMarkdown(createAll()));
});

test.run();
