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
import { resolveDaemon, resolveStateSpec } from '../../src/workflow/daemon-scope.js';
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

test('two files naming different daemons, a variable not set, a key that is no key, a bad fingerprint: each with its position, no secret shown', async () => {
  const { certificate } = await id;
  const dir = await tree({
    'a.yaml': `remote: prod\nremotes:\n  prod:\n    url: https://h:8443\n    fingerprint: nothex\n    client_certificate: \${env:NO_SUCH_VAR}\n    client_key: \${env:KEY}\n`,
    'b.yaml': 'remote: staging\n',
  });
  const e = await loadError(dir, { env: { KEY: certificate } });
  const rel = displayPath(dir);
  assert.equal(summary(e), [
    `manifest.value ${rel}/a.yaml:5:5: remote "prod": fingerprint is not a SHA-256 fingerprint (64 hex digits, with or without colons)`,
    `manifest.value ${rel}/a.yaml:6:5: remote "prod": client_certificate uses environment variable NO_SUCH_VAR, which is not set`,
    `manifest.value ${rel}/a.yaml:7:5: remote "prod": client_key (\${env:KEY}) is not a PEM private key`,
    `manifest.value ${rel}/b.yaml:1:9: the files of one directory name different daemons: remote: prod at ${rel}/a.yaml:1:9 and remote: staging at ${rel}/b.yaml:1:9`,
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

test.run();
