/** A state bound to its server (src/state/daemon-binding.ts, StateManager.bindDaemon): recorded once, the same server (or cluster) accepted, another refused. */
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, serialize, daemonRecord, StateManager, withEntry } from '../../src/state/index.js';
import { entry, inTempDir, lxplanError } from './helpers.js';

const open = (p: string) => StateManager.open(p, { operation: 'apply', lock: false });
const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);
const A = { fingerprint: FP_A, endpoint: 'remote lab (https://127.0.0.1:8444)' };
const B = { fingerprint: FP_B, endpoint: 'unix socket /var/lib/lxd/unix.socket' };

test('daemonRecord: the certificate fingerprint of GET /1.0, normalised; the endpoint as messages say it; clustered when it is', () => {
  const colons = FP_A.toUpperCase().replace(/(..)(?!$)/g, '$1:');
  assert.equal(daemonRecord({ environment: { certificate_fingerprint: colons } }, 'lab (https://127.0.0.1:8444)'), A);
  assert.equal(daemonRecord({ environment: { certificate_fingerprint: FP_B, server_clustered: true } }, '/var/lib/lxd-m1/unix.socket'), {
    fingerprint: FP_B,
    endpoint: 'unix socket /var/lib/lxd-m1/unix.socket',
    clustered: true,
  });
  assert.is(daemonRecord({ environment: {} }, '/s'), undefined, 'a daemon that does not say: nothing to bind to');
  assert.is(daemonRecord({}, '/s'), undefined);
  assert.is(daemonRecord({ environment: { certificate_fingerprint: 'abc' } }, '/s'), undefined, 'not a SHA-256');
});

test('a new state takes the server it is first used with, written with the first save and read back', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon(A);
    assert.equal(m.state.daemon, A);
    await m.save(withEntry(m.state, 'profile.small', entry('profile.small')));
    assert.equal((JSON.parse(await readFile(p, 'utf8')) as { daemon: unknown }).daemon, A);
    await m.release();
    const again = await open(p);
    assert.equal(again.state.daemon, A);
    again.bindDaemon(A);
    await again.release();
  }));

test('a state without the record (written before servers were recorded) gets it on its next save: no migration', () =>
  inTempDir(async (_dir, p) => {
    const old = { version: 1, lineage: 'l-1', serial: 4, project: 'default', resources: { 'profile.small': entry('profile.small') } };
    await writeFile(p, JSON.stringify(old));
    const m = await open(p);
    assert.is(m.state.daemon, undefined);
    m.bindDaemon(B);
    const saved = await m.update((s) => s);
    assert.equal(saved.daemon, B);
    assert.is(saved.serial, 5);
    assert.is(saved.lineage, 'l-1');
    assert.equal(parse(await readFile(p, 'utf8'), p).daemon, B);
    await m.release();
  }));

test('the same certificate reached elsewhere (another cluster member, the socket instead of HTTPS) is the same server; the record keeps where it was first reached', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon({ fingerprint: FP_A, endpoint: 'remote m1 (https://127.0.0.1:8445)', clustered: true });
    await m.save(m.state);
    m.bindDaemon({ fingerprint: FP_A, endpoint: 'remote m2 (https://127.0.0.1:8446)', clustered: true });
    m.bindDaemon({ fingerprint: FP_A, endpoint: 'unix socket /var/lib/lxd-m2/unix.socket', clustered: true });
    assert.equal(m.state.daemon, { fingerprint: FP_A, endpoint: 'remote m1 (https://127.0.0.1:8445)', clustered: true });
    await m.release();
  }));

test('another server is refused, naming both and what to do; the state is left as it was', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon(A);
    await m.save(withEntry(m.state, 'profile.small', entry('profile.small')));
    const before = await readFile(p, 'utf8');
    const e = await lxplanError(() => m.bindDaemon(B));
    assert.is(e.code, 'usage');
    assert.is(
      e.message,
      `state ${p} belongs to another server: it was made on the server with certificate SHA-256 ${FP_A} (reached then at remote lab (https://127.0.0.1:8444)), and this run talks to the server with certificate SHA-256 ${FP_B} (at unix socket /var/lib/lxd/unix.socket)`,
    );
    assert.is(
      e.hint,
      'a state belongs to one server (every member of a cluster counts as the same one): use --state with another state for this server, or the right --remote (or LXPLAN_REMOTE_URL) for the server the state was made on',
    );
    assert.equal(m.state.daemon, A, 'the record is not replaced');
    await m.release();
    assert.is(await readFile(p, 'utf8'), before, 'nothing written');
  }));

test('a cluster is named as one in the refusal', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon({ ...A, clustered: true });
    const e = await lxplanError(() => m.bindDaemon(B));
    assert.match(e.message, `it was made on the cluster with certificate SHA-256 ${FP_A}`);
    await m.release();
  }));

test('no certificate to bind to (undefined): nothing checked, nothing recorded', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon(undefined);
    assert.is(m.state.daemon, undefined);
    m.bindDaemon(A);
    m.bindDaemon(undefined);
    assert.equal(m.state.daemon, A);
    await m.release();
  }));

test('a save never drops or replaces the record, whatever the next state says', () =>
  inTempDir(async (_dir, p) => {
    const m = await open(p);
    m.bindDaemon(A);
    const s1 = await m.save({ ...m.state, daemon: undefined });
    assert.equal(s1.daemon, A);
    const s2 = await m.save({ ...m.state, daemon: B });
    assert.equal(s2.daemon, A);
    assert.equal(parse(serialize(s2), p).daemon, A);
    await m.release();
  }));

test.run();
