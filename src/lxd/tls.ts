/**
 * How lxplan knows it talks to the right LXD server over HTTPS. LXD servers present self-signed
 * certificates, so the system's CAs cannot vouch for them: the client pins the server's exact
 * certificate (as `lxc` does with ~/.config/lxc/servercerts/NAME.crt), or its SHA-256
 * fingerprint, or trusts a CA that signs it (a cluster behind PKI). Never anything less: a
 * connection with nothing pinned fails with the fingerprint the server showed, so a person can
 * check it and pin it.
 *
 * The check runs on the TLS handshake, before a single byte of a request is written: a server
 * that is not the pinned one never sees a request (and its body, which may hold secrets).
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** How the server is recognised: exactly one of these. */
export type ServerPin = { certificate: string } | { fingerprint: string } | { ca: string };

/** LXD's spelling of a certificate fingerprint: SHA-256 of the DER bytes, 64 lowercase hex digits. */
export function fingerprintOf(pem: string): string {
  return normaliseFingerprint(new X509Certificate(pem).fingerprint256);
}

/** "AB:CD:..." (node, openssl) or "abcd..." (LXD) -> "abcd...". */
export function normaliseFingerprint(fp: string): string {
  return fp.replace(/:/g, '').trim().toLowerCase();
}

/** True for a full SHA-256 fingerprint in either spelling. */
export function isFingerprint(fp: string): boolean {
  return /^[0-9a-f]{64}$/.test(normaliseFingerprint(fp));
}

/** The server presented another certificate than the pinned one, or nothing is pinned. */
export class CertificateMismatch extends Error {
  constructor(
    readonly seen: string,
    readonly expected: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateMismatch';
  }
}

export interface PinnedAgentOptions {
  pin: ServerPin;
  /** The client certificate and key (PEM) that authenticate lxplan to the server. */
  clientCertificate?: string;
  clientKey?: string;
  /** Milliseconds before an idle pooled connection is dropped by node. */
  keepAliveMsecs?: number;
}

/**
 * A keep-alive HTTPS agent whose every new connection is checked against the pin when the
 * handshake completes, before the socket is handed to the request that asked for it.
 */
export class PinnedAgent extends https.Agent {
  private readonly pin: ServerPin;
  private readonly expected?: string;

  constructor(opts: PinnedAgentOptions) {
    super({
      keepAlive: true,
      keepAliveMsecs: opts.keepAliveMsecs,
      cert: opts.clientCertificate,
      key: opts.clientKey,
      // With a CA, node verifies the chain and the host name as usual; with a pinned
      // certificate or fingerprint the exact certificate is compared in createConnection.
      ...('ca' in opts.pin ? { ca: opts.pin.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
      minVersion: 'TLSv1.2',
    });
    this.pin = opts.pin;
    if ('certificate' in opts.pin) this.expected = fingerprintOf(opts.pin.certificate);
    else if ('fingerprint' in opts.pin) this.expected = normaliseFingerprint(opts.pin.fingerprint);
  }

  override createConnection(options: tls.ConnectionOptions, callback: (err: Error | null, socket?: Duplex) => void): Duplex | undefined {
    const socket = tls.connect(options);
    let done = false;
    const finish = (err: Error | null, s?: Duplex) => {
      if (done) return;
      done = true;
      socket.removeListener('error', onError);
      callback(err, s);
    };
    const onError = (err: Error) => finish(err);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      if (this.expected === undefined) return finish(null, socket);
      const seen = normaliseFingerprint(socket.getPeerCertificate()?.fingerprint256 ?? '');
      if (seen !== this.expected) {
        socket.destroy();
        return finish(
          new CertificateMismatch(seen, this.expected, `the server presented the certificate SHA-256 ${seen || '(none)'}, not the pinned ${this.expected}`),
        );
      }
      finish(null, socket);
    });
    return undefined;
  }
}

/**
 * The fingerprint of the certificate a server presents, read from a TLS handshake alone (no
 * request is sent): for the message when nothing is pinned, and for `remote add` to compare with
 * a trust token's fingerprint.
 */
export function peekServerFingerprint(url: string, timeoutMs = 10_000): Promise<{ fingerprint: string; certificate: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: u.hostname,
      port: Number(u.port || 8443),
      servername: net.isIP(u.hostname) ? undefined : u.hostname,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      socket.end();
      if (!peer?.raw) return reject(new Error('the server presented no certificate'));
      const pem = `-----BEGIN CERTIFICATE-----\n${peer.raw
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
      resolve({ fingerprint: normaliseFingerprint(peer.fingerprint256), certificate: pem });
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`no TLS handshake within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}
