/**
 * Instance files in the planner: compared with what lxplan last pushed (the state's fields, not read
 * back from LXD), pushed live, shown as text diffs when small text and as hash changes otherwise,
 * secret when `sensitive`, and left in the instance when removed from the manifests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { redactPlan } from '../../src/planner/redact.js';
import { plan } from '../../src/planner/index.js';
import { sha256Of } from '../../src/resources/instance/files.js';
import type { DesiredFile } from '../../src/resources/types.js';
import type { State } from '../../src/state/model.js';
import { dImage, dInstance, FP_A, lImage, lInstance, live, manifest, render, state } from './builders.js';

function file(content: string | Buffer, extra: Partial<DesiredFile> = {}): DesiredFile {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { content: bytes.toString('base64'), sha256: sha256Of(bytes), mode: '0644', uid: 0, gid: 0, ...extra };
}

const MOTD = 'hello\nworld\n';
const BLOB = Buffer.from([0, 1, 2, 3]);
const files = (motd = MOTD, extra: Record<string, DesiredFile> = {}) => ({
  '/etc/motd': file(motd),
  '/root/blob': file(BLOB),
  '/root/token': file('s3cret', { sensitive: true, mode: '0600' }),
  ...extra,
});
const liveWeb = () => live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1')] });

/** The state after lxplan created web-1 with `f`: the fields the create recorded. */
function appliedState(f: Record<string, DesiredFile>): State {
  const created = plan({ manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: f })] }), live: live(), state: state() });
  const s = state('image.busybox', 'instance.web-1');
  s.resources['instance.web-1'].fields = created.changes.find((c) => c.address === 'instance.web-1')!.stateFields;
  return s;
}

test('a create shows each file: small text whole, bytes as their hash, a secret as (sensitive); the state keeps no secret', () => {
  const p = plan({ manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: files() })] }), live: live(), state: state() });
  const out = render({
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: files() })] }),
    live: live(),
    state: state(),
  });
  assert.match(out, '      + files./etc/motd:\n          hello\n          world\n');
  assert.match(out, `+ files./root/blob:       ${sha256Of(BLOB)}\n`);
  assert.match(out, '+ files./root/token:      (sensitive)\n');
  assert.match(out, '+ files./root/token:mode: mode 0600, uid 0, gid 0\n');
  const rec = p.changes.find((c) => c.address === 'instance.web-1')!.stateFields!;
  assert.is(rec['files./etc/motd'], MOTD);
  assert.not.match(JSON.stringify(rec), 's3cret');
  // A view never sees the secret's content, not even in the desired object (the saved-plan file).
  assert.not.match(JSON.stringify(redactPlan(p)), Buffer.from('s3cret').toString('base64'));
  assert.match(JSON.stringify(redactPlan(p)), Buffer.from(MOTD).toString('base64'));
});

test('files as lxplan pushed them are a noop: nothing is read back from LXD, so nothing drifts', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: files() })] }),
    live: liveWeb(),
    state: appliedState(files()),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
  assert.is(plan(input).changes.find((c) => c.address === 'instance.web-1')?.drift, undefined);
});

test('an edited text file is a live update shown as a text diff; bytes and secrets as hash changes', () => {
  const edited = files('hello\nthere\n', { '/root/blob': file(Buffer.from([9, 0])), '/root/token': file('other', { sensitive: true, mode: '0600' }) });
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: edited })] }),
    live: liveWeb(),
    state: appliedState(files()),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ files./etc/motd: (live; pushed into the instance, no restart)
           hello
          -world
          +there
      ~ files./root/blob:  ${sha256Of(BLOB)} -> ${sha256Of(Buffer.from([9, 0]))} (live; pushed into the instance, no restart)
      ~ files./root/token: (sensitive) -> (sensitive) (live; pushed into the instance, no restart)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const c = plan(input).changes.find((x) => x.address === 'instance.web-1')!;
  assert.is(c.restart, undefined);
});

test('a mode or owner change is a live update of that file', () => {
  const input = {
    manifest: manifest({
      images: [dImage('busybox')],
      instances: [dInstance('web-1', { files: { ...files(), '/etc/motd': file(MOTD, { mode: '0600', uid: 1000 }) } })],
    }),
    live: liveWeb(),
    state: appliedState(files()),
  };
  assert.match(render(input), '~ files./etc/motd:mode: mode 0644, uid 0, gid 0 -> mode 0600, uid 1000, gid 0 (live; pushed into the instance, no restart)');
});

test('a file removed from the manifests is no longer managed and stays in the instance: said so, nothing destroyed', () => {
  const { '/root/blob': _gone, ...rest } = files();
  const input = {
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { files: rest })] }),
    live: liveWeb(),
    state: appliedState(files()),
  };
  const out = render(input);
  assert.match(out, `- files./root/blob:      ${sha256Of(BLOB)} (live; no longer managed: the file stays in the instance as it is)`);
  assert.match(out, 'Plan: 0 to add, 1 to change, 0 to destroy.');
});

test.run();
