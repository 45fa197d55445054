/**
 * The offline parts of reaching a remote daemon: fingerprints in both spellings, trust tokens as
 * `lxc config trust add` prints them, and the lxc CLI's config directory read and written
 * (src/lxd/tls.ts, trust.ts, cli-config.ts). The handshakes themselves are tested against a real
 * second daemon (test/integration/remote-https.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configDirs, findCliRemote, knownRemoteNames, readRemotes, writeCliRemote } from '../../src/lxd/cli-config.js';
import { fingerprintOf, isFingerprint, normaliseFingerprint } from '../../src/lxd/tls.js';
import { decodeTrustToken, ensureClientIdentity, tokenExpiry } from '../../src/lxd/trust.js';
import { resolveRemote } from '../../src/lxd/connect.js';

const FP = '73618aa177c13d0401fa5845a48a87c7dc09ac514218f118091404e0a61370b0';
const token = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64');

test("fingerprints: node's AB:CD spelling and LXD's lowercase hex are one", () => {
  const colons = FP.toUpperCase().match(/../g)!.join(':');
  assert.is(normaliseFingerprint(colons), FP);
  assert.ok(isFingerprint(colons));
  assert.ok(isFingerprint(FP));
  assert.not.ok(isFingerprint(FP.slice(0, 12)), 'a prefix does not pin');
});

test('a trust token as lxc config trust add prints it', () => {
  const t = decodeTrustToken(token({ client_name: 'ci', fingerprint: FP, addresses: ['10.0.0.1:8443'], secret: 'abc', expires_at: '0001-01-01T00:00:00Z' }));
  assert.equal(t, { client_name: 'ci', fingerprint: FP, addresses: ['10.0.0.1:8443'], secret: 'abc', expires_at: '0001-01-01T00:00:00Z' });
  assert.is(tokenExpiry(t), undefined, 'the zero time is no expiry');
  const exp = decodeTrustToken(token({ fingerprint: FP, secret: 's', addresses: [], expires_at: '2026-01-02T03:04:05Z' }));
  assert.is(tokenExpiry(exp)?.toISOString(), '2026-01-02T03:04:05.000Z');
});

test('what is not a trust token is a usage error saying so', () => {
  for (const bad of ['garbage!', token({ secret: 'x' }), token({ fingerprint: 'abc', secret: 'x' }), token([1, 2])]) {
    try {
      decodeTrustToken(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.is((e as { code?: string }).code, 'usage');
      assert.match((e as Error).message, /not a trust token/);
    }
  }
});

test("config directories: lxplan's own first, then lxc's, then incus's; the env moves each", () => {
  assert.equal(
    configDirs({}, '/h').map((d) => `${d.tool} ${d.dir}`),
    ['lxplan /h/.config/lxplan', 'lxc /h/.config/lxc', 'lxc /h/snap/lxd/common/config', 'incus /h/.config/incus'],
  );
  assert.equal(
    configDirs({ LXPLAN_CONF: '/a', LXD_CONF: '/b', INCUS_CONF: '/c' }, '/h').map((d) => `${d.tool} ${d.dir}`),
    ['lxplan /a', 'lxc /b', 'incus /c'],
  );
});

test('a remote written in the lxc format is read back, other entries and comments kept, and the first directory naming it wins', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lxplan-cli-config-'));
  try {
    const own = path.join(root, 'own');
    const lxc = path.join(root, 'lxc');
    mkdirSync(path.join(lxc, 'servercerts'), { recursive: true });
    writeFileSync(
      path.join(lxc, 'config.yml'),
      '# mine\ndefault-remote: local\nremotes:\n  prod:\n    addr: https://10.0.0.9:8443\n    protocol: lxd\n    project: web\n  images:\n    addr: https://images.example\n    protocol: simplestreams\n',
    );
    writeFileSync(path.join(lxc, 'servercerts', 'prod.crt'), 'LXC-PIN');
    writeFileSync(path.join(lxc, 'client.crt'), 'LXC-CRT');
    writeFileSync(path.join(lxc, 'client.key'), 'LXC-KEY');
    const dirs = [
      { tool: 'lxplan' as const, dir: own },
      { tool: 'lxc' as const, dir: lxc },
    ];
    const prod = findCliRemote('prod', dirs)!;
    assert.equal(
      { url: prod.url, project: prod.project, pin: prod.serverCertificate, crt: prod.clientCertificate, key: prod.clientKey, tool: prod.from.tool },
      { url: 'https://10.0.0.9:8443', project: 'web', pin: 'LXC-PIN', crt: 'LXC-CRT', key: 'LXC-KEY', tool: 'lxc' },
    );
    assert.is(findCliRemote('nope', dirs), undefined);

    writeCliRemote(own, 'prod', { addr: 'https://10.0.0.10:8443' }, 'OWN-PIN');
    writeCliRemote(lxc, 'lab', { addr: 'https://10.0.0.11:8443' }, 'LAB-PIN');
    assert.is(findCliRemote('prod', dirs)!.url, 'https://10.0.0.10:8443', "lxplan's own directory first");
    assert.is(findCliRemote('prod', dirs)!.serverCertificate, 'OWN-PIN');
    const text = readFileSync(path.join(lxc, 'config.yml'), 'utf8');
    assert.match(text, /^# mine/);
    assert.equal(Object.keys(readRemotes(lxc)), ['prod', 'images', 'lab']);
    assert.equal(readRemotes(lxc).lab, { addr: 'https://10.0.0.11:8443', auth_type: 'tls', project: 'default', protocol: 'lxd', public: false });
    assert.equal(knownRemoteNames(dirs), ['lab', 'prod'], 'image servers are not daemons to manage');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a client certificate is made once, ECDSA P-384, key readable by its owner only', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lxplan-identity-'));
  try {
    const a = await ensureClientIdentity(path.join(dir, 'conf'));
    assert.ok(a.created);
    assert.match(a.certificate, /^-----BEGIN CERTIFICATE-----\n/);
    assert.match(a.key, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(isFingerprint(fingerprintOf(a.certificate)));
    assert.is(statSync(path.join(dir, 'conf', 'client.key')).mode & 0o077, 0);
    const { X509Certificate, createPrivateKey } = await import('node:crypto');
    assert.is(new X509Certificate(a.certificate).publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.ok(new X509Certificate(a.certificate).checkPrivateKey(createPrivateKey(a.key)), "the key is the certificate's");
    const b = await ensureClientIdentity(path.join(dir, 'conf'));
    assert.not.ok(b.created);
    assert.is(b.certificate, a.certificate);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function fails(p: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string; hint?: string };
  }
  throw new Error('expected a failure');
}

test('which daemon: the socket unless a remote is named or LXPLAN_REMOTE_URL is set; a named remote brings its own certificate and pin', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lxplan-connect-'));
  try {
    const dir = path.join(root, 'lxc');
    writeCliRemote(dir, 'prod', { addr: 'https://127.0.0.1:1' }, 'PIN-PEM');
    writeFileSync(path.join(dir, 'client.crt'), 'CRT');
    writeFileSync(path.join(dir, 'client.key'), 'KEY');
    const dirs = [{ tool: 'lxc' as const, dir }];
    assert.is(await resolveRemote({}, {}, dirs), undefined);
    assert.is(await resolveRemote({ remote: 'local' }, {}, dirs), undefined);
    assert.equal(await resolveRemote({ remote: 'prod' }, {}, dirs), {
      name: 'prod',
      url: 'https://127.0.0.1:1',
      pin: { certificate: 'PIN-PEM' },
      clientCertificate: 'CRT',
      clientKey: 'KEY',
    });
    // The environment overrides the directory's pin and certificate (PEM text or a path).
    writeFileSync(path.join(root, 'ci.key'), '-----BEGIN PRIVATE KEY-----\nCI\n');
    const env = {
      LXPLAN_SERVER_FINGERPRINT: 'AB:'.repeat(31) + 'AB',
      LXPLAN_CLIENT_CERT: '-----BEGIN CERTIFICATE-----\nCI\n',
      LXPLAN_CLIENT_KEY: path.join(root, 'ci.key'),
    };
    assert.equal(await resolveRemote({ remote: 'prod' }, env, dirs), {
      name: 'prod',
      url: 'https://127.0.0.1:1',
      pin: { fingerprint: 'ab'.repeat(32) },
      clientCertificate: env.LXPLAN_CLIENT_CERT,
      clientKey: '-----BEGIN PRIVATE KEY-----\nCI\n',
    });
    // A hosted runner with secrets alone.
    assert.equal(await resolveRemote({}, { ...env, LXPLAN_REMOTE_URL: 'https://10.1.1.1:8443' }, []), {
      name: 'remote',
      url: 'https://10.1.1.1:8443',
      pin: { fingerprint: 'ab'.repeat(32) },
      clientCertificate: env.LXPLAN_CLIENT_CERT,
      clientKey: '-----BEGIN PRIVATE KEY-----\nCI\n',
    });

    const unknown = await fails(resolveRemote({ remote: 'prdo' }, {}, dirs));
    assert.is(unknown.code, 'usage');
    assert.match(unknown.message, `no remote named "prdo" in ${dir} (known: prod)`);
    const both = await fails(resolveRemote({ remote: 'prod', socket: '/x.sock' }, {}, dirs));
    assert.match(both.message, '--socket and remote "prod" both name the daemon');
    const noCert = await fails(resolveRemote({}, { LXPLAN_REMOTE_URL: 'https://127.0.0.1:1', LXPLAN_SERVER_FINGERPRINT: 'ab'.repeat(32) }, []));
    assert.match(noCert.message, 'remote "remote": no client certificate and key');
    const noPin = await fails(
      resolveRemote(
        {},
        { LXPLAN_REMOTE_URL: 'https://127.0.0.1:1', LXPLAN_CLIENT_CERT: env.LXPLAN_CLIENT_CERT, LXPLAN_CLIENT_KEY: env.LXPLAN_CLIENT_CERT },
        [],
      ),
    );
    assert.is(noPin.code, 'lxd.certificate');
    assert.match(noPin.message, 'no server certificate is pinned, and lxplan never connects to a server it cannot recognise');
    const badFp = await fails(resolveRemote({ remote: 'prod' }, { LXPLAN_SERVER_FINGERPRINT: 'abc' }, dirs));
    assert.match(badFp.message, 'LXPLAN_SERVER_FINGERPRINT: not a SHA-256 fingerprint');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
