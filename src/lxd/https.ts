/**
 * A remote LXD (or Incus) daemon over HTTPS, authenticated both ways: lxplan presents its TLS
 * client certificate (which the server must trust: `lxc config trust add`, or
 * `lxplan remote add --token`), and accepts the server only when it presents the pinned
 * certificate, the pinned fingerprint, or one signed by the given CA (./tls.ts). The same
 * Transport as the unix socket, so the client and everything above it do not change.
 *
 * Errors name the remote and say what to do: unreachable (nothing answers), a certificate other
 * than the pinned one (with the fingerprint seen), and a client the server does not trust.
 */
import { Readable, pipeline } from 'node:stream';
import https from 'node:https';
import { LxplanError } from '../errors.js';
import { isConnectError } from './errors.js';
import { CertificateMismatch, PinnedAgent, type ServerPin } from './tls.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

export interface HttpsRemote {
  /** The remote's name ("prod"), for messages. */
  name: string;
  /** https://host:port (LXD's default port 8443 when absent). */
  url: string;
  pin: ServerPin;
  /** PEM text of lxplan's client certificate and its key. */
  clientCertificate: string;
  clientKey: string;
}

const CONNECT_TIMEOUT_MS = 15_000;

export class HttpsTransport implements Transport {
  readonly endpoint: string;
  private readonly agent: PinnedAgent;
  private readonly base: URL;

  constructor(readonly remote: HttpsRemote) {
    this.base = new URL(remote.url);
    if (this.base.protocol !== 'https:') throw new LxplanError('usage', `remote "${remote.name}": ${remote.url} is not an https:// URL`);
    if (!this.base.port) this.base.port = '8443';
    this.endpoint = `${remote.name} (${this.base.origin})`;
    this.agent = new PinnedAgent({ pin: remote.pin, clientCertificate: remote.clientCertificate, clientKey: remote.clientKey });
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    return this.attempt(req, true);
  }

  close(): void {
    this.agent.destroy();
  }

  private attempt(r: TransportRequest, mayRetry: boolean): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: Number(this.base.port),
          method: r.method,
          path: r.path,
          headers: r.headers,
          timeout: CONNECT_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            if (status === 403 && untrustedAnswer(body)) return reject(this.untrusted(r));
            resolve({ status, headers: res.headers, body });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && e.code === 'ECONNRESET' && !(r.body instanceof Readable)) return resolve(this.attempt(r, false));
        reject(this.failure(e));
      });
      if (r.body instanceof Readable) {
        pipeline(r.body, req, (err) => {
          if (err) reject(this.failure(err));
        });
      } else {
        req.end(r.body);
      }
    });
  }

  private failure(e: unknown): unknown {
    if (e instanceof CertificateMismatch) {
      return new LxplanError('lxd.certificate', `remote "${this.remote.name}" (${this.base.origin}) is not the server lxplan knows: ${e.message}`, {
        cause: e,
        hint: 'if the server was reinstalled or its certificate renewed, check the new fingerprint on the server (`lxc info | grep fingerprint`) and pin it again; otherwise something else answers at that address',
      });
    }
    return reachFailure(this.remote.name, this.base.origin, e);
  }

  private untrusted(r: TransportRequest): LxplanError {
    return new LxplanError(
      'lxd.untrusted',
      `remote "${this.remote.name}" (${this.base.origin}) does not trust lxplan's client certificate (${r.method} ${r.path.split('?')[0]}: not authorized)`,
      {
        hint: `make a trust token on the server (\`lxc config trust add\`) and run \`lxplan remote add ${this.remote.name} ${this.base.origin} --token TOKEN\`; a certificate restricted to some projects is refused in the others`,
      },
    );
  }
}

/** LXD's answer to a client it does not trust (or not for that project): HTTP 403 "not authorized". */
function untrustedAnswer(body: Buffer): boolean {
  try {
    const e = JSON.parse(body.toString('utf8')) as { error?: string };
    return /not authorized/i.test(e.error ?? '');
  } catch {
    return false;
  }
}

/** A connection-level failure as the error a person reads: TLS trouble, or nothing reachable there; anything else as it is. */
export function reachFailure(name: string, origin: string, e: unknown): unknown {
  const raw = (e as { code?: unknown })?.code;
  const code = typeof raw === 'string' ? raw : '';
  if (/^(ERR_SSL|ERR_TLS|EPROTO|UNABLE_TO|CERT_|DEPTH_|SELF_SIGNED)/.test(code)) {
    return new LxplanError('lxd.certificate', `remote "${name}" (${origin}): TLS failed: ${(e as Error).message}`, { cause: e });
  }
  if (isConnectError(e) || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused (nothing listens there: is core.https_address set on the server?)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'unknown host'
          : code === 'ETIMEDOUT'
            ? 'no answer (a firewall, or the wrong address)'
            : (e as Error).message;
    return new LxplanError('lxd.unreachable', `cannot reach remote "${name}" at ${origin}: ${why}`, { cause: e });
  }
  return e;
}
