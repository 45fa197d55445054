/**
 * The top-level `remote:` and `backend:` keys, and `remotes:` entries for a daemon the directory
 * manages (pin, client certificate and key from files or ${env:NAME}): what loading makes of
 * them, and each bad input as the user sees it, with its position and without a secret's value.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayPath } from '../../src/manifest/files.js';
import { loadManifests } from '../../src/manifest/index.js';
import { fingerprintOf } from '../../src/lxd/tls.js';
import { ensureClientIdentity } from '../../src/lxd/trust.js';
import { oneDaemonOf, perRemoteState, resolveDaemon, resolveStateSpec } from '../../src/workflow/daemon-scope.js';
import { daemonHeading, prefixLines, totalLine } from '../../src/cli/views/plan-set.js';
import { loadError, summary, tree } from './helpers.js';

const FP = 'ab'.repeat(32);
const id = ensureClientIdentity(await mkdtemp(path.join(tmpdir(), 'lxplan-id-')));

test('remote: names the daemon; remotes: gives its pin and client certificate from ${env:} (PEM text) and a file', async () => {
  const { certificate, key } = await id;
  const dir = await tree({
    'secrets/client.key': key,
    'a.yaml': `remote: prod\nremotes:\n  prod:\n    url: https://lxd1.example:8443\n    fingerprint: \${env:PROD_FP}\n    client_certificate: \${env:PROD_CERT}\n    client_key: secrets/client.key\n`,
    'b.yaml': 'remote: prod\nprofiles:\n  p: {}\n',
  });
  const m = await loadManifests(dir, { env: { PROD_FP: FP.toUpperCase().match(/../g)!.join(':'), PROD_CERT: certificate } });
  assert.is(m.remote, 'prod');
  assert.equal(m.remoteCredentials?.prod, { fingerprint: FP, clientCertificate: certificate, clientKey: key });
  const choice = resolveDaemon({}, m);
  assert.equal(choice, {
    remote: 'prod',
    defined: {
      name: 'prod',
      url: 'https://lxd1.example:8443',
      pin: { fingerprint: FP },
      clientCertificate: certificate,
      clientKey: key,
      where: `${displayPath(dir)}/a.yaml:3:3`,
    },
  });
  // --remote repeating the manifests' choice is fine; another one is an error naming both.
  assert.is(resolveDaemon({ remote: 'prod' }, m).remote, 'prod');
  try {
    resolveDaemon({ remote: 'staging' }, m);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, '--remote (or LXPLAN_REMOTE) says "staging" and the manifests say remote: prod at ');
  }
});

test('a certificate pin read from a file: the pin is the certificate; a name not under remotes: is left to the CLI config', async () => {
  const { certificate } = await id;
  const dir = await tree({ 'server.crt': certificate, 'm.yaml': 'remote: prod\nremotes:\n  prod: {url: "https://h:8443", certificate: server.crt}\n' });
  const m = await loadManifests(dir);
  assert.equal(resolveDaemon({}, m).defined?.pin, { certificate });
  assert.is(fingerprintOf(certificate).length, 64);
  const other = await loadManifests(await tree({ 'm.yaml': 'remote: lab\nprofiles: {p: {}}\n' }));
  assert.equal(resolveDaemon({}, other), { remote: 'lab' });
  assert.equal(resolveDaemon({ socket: '/s' }, await loadManifests(await tree({ 'm.yaml': 'profiles: {p: {}}\n' }))), { socket: '/s' });
});

test('a variable not set, a key that is no key, a bad fingerprint: each with its position, no secret shown', async () => {
  const { certificate } = await id;
  const dir = await tree({
    'a.yaml': `remote: prod\nremotes:\n  prod:\n    url: https://h:8443\n    fingerprint: nothex\n    client_certificate: \${env:NO_SUCH_VAR}\n    client_key: \${env:KEY}\n`,
  });
  const e = await loadError(dir, { env: { KEY: certificate } });
  const rel = displayPath(dir);
  assert.equal(summary(e), [
    `manifest.value ${rel}/a.yaml:5:5: remote "prod": fingerprint is not a SHA-256 fingerprint (64 hex digits, with or without colons)`,
    `manifest.value ${rel}/a.yaml:6:5: remote "prod": client_certificate uses environment variable NO_SUCH_VAR, which is not set`,
    `manifest.value ${rel}/a.yaml:7:5: remote "prod": client_key (\${env:KEY}) is not a PEM private key`,
  ]);
  assert.not.match(e.describe() + e.more.map((x) => x.describe()).join(''), 'BEGIN CERTIFICATE');
});

test('an image server cannot be the managed daemon; --socket with a remote: is an error', async () => {
  const dir = await tree({ 'm.yaml': 'remote: imgs\nremotes:\n  imgs: {url: "https://images.example", protocol: simplestreams}\n' });
  const m = await loadManifests(dir);
  assert.throws(() => resolveDaemon({}, m), /remote "imgs" \(.*m\.yaml:3:3\) is a simplestreams image server, not a daemon lxplan can manage/);
  assert.throws(
    () => resolveDaemon({ socket: '/var/lib/lxd/unix.socket' }, m),
    /--socket and the manifests' remote: imgs \(.*\) both name the daemon: give one/,
  );
});

test('backend: file (relative to the file), lxd and postgres with the URL from ${env:}; --state agreeing is fine, another is an error', async () => {
  const dir = await tree({ 'sub/m.yaml': 'backend:\n  file: ../state/web.json\nprofiles: {p: {}}\n' });
  const m = await loadManifests(path.join(dir, 'sub'));
  assert.is(resolveStateSpec(undefined, m), path.join(dir, 'state/web.json'));
  assert.is(resolveStateSpec(path.relative(process.cwd(), path.join(dir, 'state/web.json')), m), path.join(dir, 'state/web.json'));
  assert.throws(
    () => resolveStateSpec('other.json', m),
    /--state \(or LXPLAN_STATE\) says other.json and the manifests say backend: .*state\/web.json at .*m.yaml:2:3/,
  );

  const lxd = await loadManifests(await tree({ 'm.yaml': 'backend: {lxd: web}\n' }));
  assert.is(resolveStateSpec(undefined, lxd), 'lxd:web');
  const pg = await loadManifests(await tree({ 'm.yaml': 'backend: {postgres: "${env:PG_URL}"}\n' }), {
    env: { PG_URL: 'postgres://u:secret@h/db?workspace=w' },
  });
  assert.is(resolveStateSpec(undefined, pg), 'postgres://u:secret@h/db?workspace=w');
  // The password never appears in the error.
  try {
    resolveStateSpec('lxd:web', pg);
    assert.unreachable();
  } catch (e) {
    assert.not.match((e as Error).message, 'secret');
  }
  const unset = await loadError(await tree({ 'm.yaml': 'backend: {postgres: "${env:PG_URL}"}\n' }), { env: {} });
  assert.match(summary(unset)[0], 'm.yaml:1:11: environment variable PG_URL is not set (used by backend:)');
  const two = await loadError(await tree({ 'a.yaml': 'backend: {lxd: a}\n', 'b.yaml': 'backend: {file: s.json}\n' }));
  assert.match(summary(two)[0], /b\.yaml:1:11: backend: is given twice: at .*a\.yaml:1:11 and at/);
  const bad = await loadError(await tree({ 'm.yaml': 'backend: {s3: bucket}\n' }));
  assert.match(summary(bad)[0], 'm.yaml:1:11: unknown key "s3" in "backend"');
});

test('a directory spanning several daemons: nothing merged without a choice, each part on its own (same names allowed), a state per daemon', async () => {
  const dir = await tree({
    'shared.yaml': 'remotes:\n  a: {url: "https://a:8443", fingerprint: "' + FP + '"}\n',
    'a.yaml': 'remote: a\nprofiles:\n  web: {description: on a}\n',
    'b.yaml': 'remote: local\nprofiles:\n  web: {description: here}\n',
  });
  const all = await loadManifests(dir);
  assert.equal(all.spans, ['a', 'local']);
  assert.is(all.profiles, undefined, 'nothing merged');
  const a = await loadManifests(dir, { remote: 'a' });
  assert.equal([a.remote, a.profiles.web.description, Object.keys(a.remotes ?? {})], ['a', 'on a', ['a']]);
  const here = await loadManifests(dir, { remote: 'local' });
  assert.equal([here.remote, here.profiles.web.description], ['local', 'here']);
  const none = await loadError(dir, { remote: 'c' });
  assert.is(none.message, 'no file of this directory names remote: c (they name a, local)');

  assert.is(perRemoteState('/x/lxplan.state.json', 'prod'), '/x/lxplan.state.prod.json');
  assert.is(perRemoteState('state', 'prod'), 'state.prod');
  assert.is(perRemoteState('lxd:web', 'prod'), 'lxd:web');
  assert.is(perRemoteState('postgres://u@h/db?workspace=web', 'prod'), 'postgres://u@h/db?workspace=web.prod');
  assert.throws(() => oneDaemonOf(all, 'lxplan import'), /the files of this directory name several daemons \(a, local\): lxplan import works on one/);
});

test('the views of several daemons: a heading per daemon, the total, and each progress line saying whose it is', () => {
  const p = (remote: string | undefined, add: number) => ({
    formatVersion: 1 as const,
    changes: [],
    summary: { add, change: 1, destroy: 0 },
    ...(remote ? { remote } : {}),
  });
  assert.is(daemonHeading(p('prod', 1), 0), '== remote prod ==\n\n');
  assert.is(daemonHeading(p(undefined, 1), 1), '\n== remote local ==\n\n');
  assert.is(totalLine([p('a', 1), p('b', 2)]), 'On 2 daemons: 3 to add, 2 to change, 0 to destroy.');
  assert.is(prefixLines('+ profile a\n  done\n', '[a] '), '[a] + profile a\n[a]   done\n');
});

test.run();
