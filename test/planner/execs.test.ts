/**
 * execs: and wait_for: in the planner: which commands a plan runs and why (created, a watched
 * field or file changed, always, never recorded), what is waited for, and that what ran is
 * remembered (the state's fields) so that a plan after an apply says `No changes.`.
 * Rendered plans are checked as whole text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import { sha256Of } from '../../src/resources/instance/files.js';
import type { DesiredExec } from '../../src/resources/instance/execs.js';
import type { WaitCondition } from '../../src/resources/instance/wait.js';
import type { DesiredFile, DesiredInstance } from '../../src/resources/types.js';
import type { State } from '../../src/state/model.js';
import { dImage, dInstance, FP_A, lImage, lInstance, live, manifest, render, state } from './builders.js';

function file(content: string): DesiredFile {
  const bytes = Buffer.from(content);
  return { content: bytes.toString('base64'), sha256: sha256Of(bytes), mode: '0644', uid: 0, gid: 0 };
}

const setup: DesiredExec = { name: 'setup', command: ['sh', '-c', 'echo hi > /root/setup'], timeoutS: 300, when: 'created' };
const reload: DesiredExec = {
  name: 'reload',
  command: ['kill', '-HUP', '1'],
  timeoutS: 30,
  when: { changed: ['files./etc/app.conf', 'config.limits.memory'] },
};
const check: DesiredExec = { name: 'check', command: ['cat', '/root/setup'], timeoutS: 300, when: 'always' };
const waits: WaitCondition[] = [
  { kind: 'file', path: '/run/ready', timeoutS: 120 },
  { kind: 'command', command: ['test', '-e', '/root/setup'], timeoutS: 10 },
];

function app(extra: Partial<DesiredInstance> = {}): DesiredInstance {
  return dInstance('app', { files: { '/etc/app.conf': file('port: 8080') }, execs: [setup, reload], waitFor: waits, ...extra });
}

const input = (d: DesiredInstance, s: State = state('image.busybox'), running = true): PlanInput => ({
  manifest: manifest({ images: [dImage('busybox')], instances: [d] }),
  live: live({ images: [lImage(FP_A, ['busybox'])], instances: running ? [lInstance('app')] : [] }),
  state: s,
});

/** The state after an apply of `d` that made the instance: the fields its create recorded. */
function applied(d: DesiredInstance): State {
  const created = plan(input(d, undefined, false));
  const s = state('image.busybox', 'instance.app');
  s.resources['image.busybox'].fingerprint = FP_A;
  s.resources['instance.app'].fields = created.changes.find((c) => c.address === 'instance.app')!.stateFields;
  s.resources['instance.app'].attributes = { image: 'busybox' };
  return s;
}

test('a create runs every exec after waiting for the conditions, and says so', () => {
  assert.is(
    render(input(app(), undefined, false)),
    `lxplan will make these changes:

  + instance app
      + image:                    busybox
      + type:                     container
      + profiles:                 [default]
      + state:                    running
      + files./etc/app.conf:      port: 8080
      + files./etc/app.conf:mode: mode 0644, uid 0, gid 0
      + wait_for:                 file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (waited for once the instance has started, before its execs)
      + execs.setup:              sh -c "echo hi > /root/setup" (runs: the instance is created; timeout 5m)
      + execs.reload:             kill -HUP 1 (runs: the instance is created; timeout 30s)

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  );
});

test('after the apply that ran them, nothing runs again: No changes.', () => {
  assert.is(render(input(app(), applied(app()))), 'No changes. LXD matches the manifests.\n');
});

test('a watched file that changes runs the changed: exec, and only it, saying why, after the conditions', () => {
  const edited = app({ files: { '/etc/app.conf': file('port: 9090') } });
  assert.is(
    render(input(edited, applied(app()))),
    `lxplan will make these changes:

  ~ instance app (live)
      ~ files./etc/app.conf: port: 8080 -> port: 9090 (live; pushed into the instance, no restart)
      + wait_for:            file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for before its execs run)
      + execs.reload:        kill -HUP 1 (live; runs because files./etc/app.conf changes; timeout 30s)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a watched config key runs it too; an unwatched one does not', () => {
  const watched = render(input(app({ config: { 'limits.memory': '1GB' } }), applied(app())));
  assert.is(
    watched,
    `lxplan will make these changes:

  ~ instance app (live)
      + config.limits.memory: 1GB (live)
      + wait_for:             file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for before its execs run)
      + execs.reload:         kill -HUP 1 (live; runs because config.limits.memory changes; timeout 30s)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const other = render(input(app({ config: { 'limits.cpu': '2' } }), applied(app())));
  assert.not.match(other, 'execs.');
  assert.match(other, '+ config.limits.cpu: 2 (live)');
});

test("changing a created exec's command does not run it again; changing a changed: exec's does", () => {
  const created = app({ execs: [{ ...setup, command: ['true'] }, reload] });
  assert.is(render(input(created, applied(app()))), 'No changes. LXD matches the manifests.\n');
  const changed = app({ execs: [setup, { ...reload, command: ['kill', '-USR1', '1'] }] });
  assert.match(render(input(changed, applied(app()))), '+ execs.reload: kill -USR1 1 (live; runs: its command or when: changed; timeout 30s)\n');
});

test('an always exec runs at every apply: the plan is never No changes.', () => {
  const d = app({ execs: [setup, reload, check] });
  const s = applied(d);
  assert.is(
    render(input(d, s)),
    `lxplan will make these changes:

  ~ instance app (live)
      + wait_for:    file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for before its execs run)
      + execs.check: cat /root/setup (live; runs: when: always runs it at every apply; timeout 5m)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  // The record after running it is the same as before: the next plan runs it again.
  const c = plan(input(d, s)).changes.find((x) => x.address === 'instance.app')!;
  assert.is(c.stateFields!['execs.check'], 'always');
});

test('an exec the state has no record of (added later, or an apply died before it ran) runs at the next apply', () => {
  const s = applied(app());
  delete s.resources['instance.app'].fields!['execs.setup'];
  assert.is(
    render(input(app(), s)),
    `lxplan will make these changes:

  ~ instance app (live)
      + wait_for:    file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for before its execs run)
      + execs.setup: sh -c "echo hi > /root/setup" (live; runs: it has not run on this instance yet; timeout 5m)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('an exec removed from the manifest is only forgotten: nothing runs', () => {
  const out = render(input(app({ execs: [reload] }), applied(app())));
  assert.is(
    out,
    `lxplan will make these changes:

  ~ instance app (live)
      - execs.setup: created (live; no longer declared: it does not run again)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a replace creates the instance again: every exec runs again, after the conditions', () => {
  const s = applied(app());
  const out = render({
    manifest: manifest({ images: [dImage('busybox'), dImage('other', 'b'.repeat(64))], instances: [app({ image: 'other' })] }),
    live: live({ images: [lImage(FP_A, ['busybox']), lImage('b'.repeat(64), ['other'])], instances: [lInstance('app')] }),
    state: { ...s, resources: { ...s.resources, 'image.other': { kind: 'image', name: 'other', since: s.resources['image.busybox'].since } } },
  });
  assert.is(
    out,
    `lxplan will make these changes:

  -/+ instance app (replace: image busybox -> other)
      ~ image:        busybox -> other (replace)
      + wait_for:     file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for once the instance has started, before its execs)
      + execs.setup:  sh -c "echo hi > /root/setup" (live; runs: the instance is created again; timeout 5m)
      + execs.reload: kill -HUP 1 (live; runs: the instance is created again; timeout 30s)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
});

test('starting a stopped instance waits for the conditions: the plan says what for', () => {
  const out = render({
    ...input(app(), applied(app())),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('app', { status: 'Stopped' })] }),
  });
  assert.is(
    out,
    `Changed outside lxplan since the last apply:

  ~ instance app
      ~ state: running -> stopped

lxplan will make these changes:

  ~ instance app (live)
      ~ state:    stopped -> running (live)
      + wait_for: file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) (live; waited for once the instance has started, before its execs)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('changed conditions are recorded, and waited for at the next start', () => {
  const d = app({ waitFor: [{ kind: 'delay', seconds: 5 }] });
  assert.is(
    render(input(d, applied(app()))),
    `lxplan will make these changes:

  ~ instance app (live)
      ~ wait_for: file /run/ready (timeout 2m), command test -e /root/setup (timeout 10s) -> a delay of 5s (live; waited for at its next start)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test.run();
