/**
 * First contact with a remote daemon: a trust token made on the server (`lxc config trust add`,
 * `incus config trust add`) lets lxplan's client certificate in, and the token's fingerprint
 * pins the server's certificate, so no step trusts what the network says.
 *
 * A token is base64 of JSON {client_name, fingerprint, addresses, secret, expires_at}. LXD 5.0
 * takes the whole token as `password` of POST /1.0/certificates; LXD 5.21+ and Incus take it as
 * `trust_token`: both fields are sent (each daemon ignores the field it does not know).
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { HttpsTransport, reachFailure } from './https.js';
import { isFingerprint, normaliseFingerprint, peekServerFingerprint } from './tls.js';

export interface TrustToken {
  client_name: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at?: string;
}

/** The token's fields; a usage error when it is not one. */
export function decodeTrustToken(token: string): TrustToken {
  let t: Partial<TrustToken>;
  try {
    t = JSON.parse(Buffer.from(token.trim(), 'base64').toString('utf8')) as Partial<TrustToken>;
  } catch {
    throw new LxplanError('usage', 'the --token value is not a trust token (base64 JSON as `lxc config trust add` prints it)');
  }
  if (typeof t !== 'object' || t === null || typeof t.secret !== 'string' || typeof t.fingerprint !== 'string' || !isFingerprint(t.fingerprint)) {
    throw new LxplanError(
      'usage',
      'the --token value is not a trust token: it has no secret or server fingerprint (make one with `lxc config trust add` on the server)',
    );
  }
  return {
    client_name: t.client_name ?? '',
    fingerprint: normaliseFingerprint(t.fingerprint),
    addresses: Array.isArray(t.addresses) ? t.addresses : [],
    secret: t.secret,
    ...(t.expires_at ? { expires_at: t.expires_at } : {}),
  };
}

/** When the token stops working, or undefined when it does not expire (LXD writes the zero time). */
export function tokenExpiry(t: TrustToken): Date | undefined {
  if (!t.expires_at || t.expires_at.startsWith('0001-01-01')) return undefined;
  const d = new Date(t.expires_at);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export interface ClientIdentity {
  certificate: string;
  key: string;
}

/**
 * The client certificate of a config directory (client.crt / client.key), made once when there
 * is none: ECDSA P-384 with SHA-384, as `lxc` makes its own, valid ten years.
 */
export async function ensureClientIdentity(dir: string, now = new Date()): Promise<ClientIdentity & { created: boolean }> {
  const crt = path.join(dir, 'client.crt');
  const key = path.join(dir, 'client.key');
  if (existsSync(crt) && existsSync(key)) return { certificate: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8'), created: false };
  // @peculiar/x509 builds certificates (node's crypto has no X.509 writer); loaded only here.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=lxplan@${os.hostname()}, O=lxplan`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 24 * 3600_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2'])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  const identity = { certificate: cert.toString('pem') + '\n', key: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n` };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(key, identity.key, { mode: 0o600 });
  writeFileSync(crt, identity.certificate, { mode: 0o644 });
  return { ...identity, created: true };
}

export interface TrustResult {
  url: string;
  /** The server's certificate (PEM), whose fingerprint is the token's. */
  serverCertificate: string;
  fingerprint: string;
  /** True when the server trusted the client before (the token was then not used). */
  alreadyTrusted: boolean;
}

/**
 * Lets `identity` in on the server the token came from (or at `url`): checks the server presents
 * the token's certificate, sends the token, and checks the server now trusts the client.
 */
export async function trustWithToken(name: string, tokenText: string, identity: ClientIdentity, url?: string, now = new Date()): Promise<TrustResult> {
  const token = decodeTrustToken(tokenText);
  const expiry = tokenExpiry(token);
  if (expiry && expiry.getTime() <= now.getTime())
    throw new LxplanError(
      'usage',
      `the trust token for remote "${name}" expired at ${expiry.toISOString()}: make a new one on the server (\`lxc config trust add\`)`,
    );
  const target = url ?? (token.addresses[0] ? `https://${token.addresses[0]}` : undefined);
  if (!target)
    throw new LxplanError('usage', `the trust token names no server address: give the URL (lxplan remote add ${name} https://HOST:8443 --token ...)`);
  let seen: { fingerprint: string; certificate: string };
  try {
    seen = await peekServerFingerprint(target);
  } catch (e) {
    const failure = reachFailure(name, target, e);
    throw failure instanceof LxplanError
      ? failure
      : new LxplanError('lxd.unreachable', `cannot reach remote "${name}" at ${target}: ${(e as Error).message}`, { cause: e });
  }
  if (seen.fingerprint !== token.fingerprint) {
    throw new LxplanError(
      'lxd.certificate',
      `remote "${name}" at ${target} presented the certificate SHA-256 ${seen.fingerprint}, but the trust token is for ${token.fingerprint}: not the server that made the token`,
    );
  }
  const transport = new HttpsTransport({
    name,
    url: target,
    pin: { certificate: seen.certificate },
    clientCertificate: identity.certificate,
    clientKey: identity.key,
  });
  try {
    const before = await authOf(transport);
    if (before !== 'trusted') {
      const body = Buffer.from(
        JSON.stringify({
          type: 'client',
          ...(token.client_name ? { name: token.client_name } : {}),
          password: tokenText.trim(),
          trust_token: tokenText.trim(),
        }),
      );
      const refused = (why: string) =>
        new LxplanError('lxd.untrusted', `remote "${name}" refused the trust token: ${why}`, {
          hint: 'a token works once and may expire: make a new one on the server (`lxc config trust add`)',
        });
      let res;
      try {
        res = await transport.send({
          method: 'POST',
          path: '/1.0/certificates',
          headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
          body,
        });
      } catch (e) {
        throw e instanceof LxplanError && e.code === 'lxd.untrusted' ? refused('not authorized (a wrong, used or revoked token)') : e;
      }
      if (res.status >= 400) {
        const why = safeError(res.body);
        throw refused(why || `HTTP ${res.status}`);
      }
      if ((await authOf(transport)) !== 'trusted')
        throw new LxplanError('lxd.untrusted', `remote "${name}" accepted the token but does not trust the client yet`);
    }
    return { url: target, serverCertificate: seen.certificate, fingerprint: seen.fingerprint, alreadyTrusted: before === 'trusted' };
  } finally {
    transport.close();
  }
}

async function authOf(transport: HttpsTransport): Promise<string> {
  const res = await transport.send({ method: 'GET', path: '/1.0', headers: { accept: 'application/json' } });
  try {
    return (JSON.parse(res.body.toString('utf8')) as { metadata?: { auth?: string } }).metadata?.auth ?? 'untrusted';
  } catch {
    throw new LxplanError(
      'lxd.api',
      `${transport.endpoint} answered GET /1.0 with something other than LXD's JSON (HTTP ${res.status}): is it an LXD or Incus server?`,
    );
  }
}

function safeError(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { error?: string }).error ?? '';
  } catch {
    return '';
  }
}
