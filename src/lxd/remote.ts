/**
 * Image servers other than the local daemon (`remotes:` in the manifests). Two things only:
 *
 *  - reading, over HTTPS, what an alias (or a fingerprint prefix) names on another LXD server,
 *    so a plan knows the fingerprint the local daemon would get and whether a copy is needed.
 *    The server's certificate is pinned: the connection is accepted only when the server presents
 *    exactly the certificate of the manifest's `certificate:` file (LXD servers use self-signed
 *    certificates). Public images need no client certificate, so none is sent;
 *  - asking the local daemon to pull an image from such a server (POST /1.0/images, source type
 *    image, mode pull): LXD downloads it itself, checking the server against the same certificate.
 *
 * simplestreams servers are passed to LXD as they are; lxplan does not read their indexes, so a
 * plan cannot show their fingerprints (see docs/manifest.md).
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { LxdClient } from './client.js';

/** 'incus': Incus's name for the daemon API LXD calls 'lxd' (what an Incus daemon pulling from a daemon remote is told). */
export type RemoteProtocol = 'lxd' | 'incus' | 'simplestreams';

export interface RemoteServer {
  /** The manifest's name for it ("lab"), for messages. */
  name: string;
  /** https://host:port */
  url: string;
  protocol: RemoteProtocol;
  /** The server's certificate (PEM), pinned; absent: the system's CAs decide. */
  certificate?: string;
}

/** An image on a remote: by alias, or by fingerprint (a unique prefix is enough, as in LXD). */
export interface RemoteImageRef {
  alias?: string;
  fingerprint?: string;
}

/** Why a remote could not be read: the workflow turns it into a message naming the remote and the manifest position. */
export class RemoteError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'certificate' | 'not-found' | 'refused',
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}

const TIMEOUT_MS = 10_000;

/** The SHA-256 fingerprint of a PEM certificate, as node reports peer certificates' ("AB:CD:..."). Throws on a file that is no certificate. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

interface LxdEnvelope<T> {
  type?: string;
  error?: string;
  error_code?: number;
  metadata?: T;
}

/** One GET against a remote LXD's REST API; the peer certificate checked against the pin before anything is read. */
function getJson<T>(remote: RemoteServer, path: string): Promise<{ status: number; body: LxdEnvelope<T> }> {
  const pin = remote.certificate ? certificateFingerprint(remote.certificate) : undefined;
  const url = new URL(path, remote.url.endsWith('/') ? remote.url : `${remote.url}/`);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'GET',
        headers: { 'User-Agent': 'lxplan/0.1', Accept: 'application/json' },
        // With a pin, the CA chain means nothing (LXD's certificate is self-signed): the exact
        // certificate is compared below instead, before the response is used.
        rejectUnauthorized: pin === undefined,
        timeout: TIMEOUT_MS,
        agent: false,
      },
      (res) => {
        if (pin) {
          const peer = (res.socket as TLSSocket).getPeerCertificate();
          if (!peer?.fingerprint256 || peer.fingerprint256 !== pin) {
            res.destroy();
            reject(
              new RemoteError(
                'certificate',
                `remote "${remote.name}" (${remote.url}) presented a certificate other than the one in its certificate: file (SHA-256 ${peer?.fingerprint256 ?? 'none'})`,
              ),
            );
            return;
          }
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new RemoteError('unreachable', `cannot read from remote "${remote.name}" (${remote.url}): ${e.message}`, { cause: e })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as LxdEnvelope<T> });
          } catch {
            reject(
              new RemoteError(
                'refused',
                `remote "${remote.name}" (${remote.url}) answered ${url.pathname} with something other than LXD's JSON (HTTP ${res.statusCode}): is it an LXD server?`,
              ),
            );
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
      reject(new RemoteError('unreachable', `cannot reach remote "${remote.name}" at ${remote.url}: ${why}`, { cause: e }));
    });
    req.end();
  });
}

/**
 * The fingerprint `ref` names on the remote, as an unauthenticated client sees it (public
 * images only). Undefined for simplestreams servers (lxplan does not read their indexes).
 */
export async function resolveRemoteImage(remote: RemoteServer, ref: RemoteImageRef): Promise<string | undefined> {
  if (remote.protocol !== 'lxd') return undefined;
  if (ref.alias !== undefined) {
    const { status, body } = await getJson<{ target?: string }>(remote, `1.0/images/aliases/${encodeURIComponent(ref.alias)}`);
    if (status === 404) throw new RemoteError('not-found', `remote "${remote.name}" has no public image with the alias "${ref.alias}"`);
    if (status !== 200 || !body.metadata?.target)
      throw new RemoteError('refused', `remote "${remote.name}" refused to show the alias "${ref.alias}": ${body.error || `HTTP ${status}`}`);
    return body.metadata.target;
  }
  const fp = ref.fingerprint ?? '';
  const { status, body } = await getJson<{ fingerprint?: string }>(remote, `1.0/images/${encodeURIComponent(fp)}`);
  if (status === 404) throw new RemoteError('not-found', `remote "${remote.name}" has no public image with the fingerprint ${fp}`);
  if (status !== 200 || !body.metadata?.fingerprint)
    throw new RemoteError('refused', `remote "${remote.name}" refused to show the image ${fp}: ${body.error || `HTTP ${status}`}`);
  return body.metadata.fingerprint;
}

export interface PullImage {
  remote: RemoteServer;
  /** What to download: the fingerprint the plan resolved wins over the alias (LXD records the alias for auto_update). */
  alias?: string;
  fingerprint?: string;
  public: boolean;
  autoUpdate: boolean;
}

/**
 * Asks the local daemon to pull an image from a remote (POST /1.0/images, source type image,
 * mode pull) and waits for it; returns the fingerprint LXD reports.
 */
export async function pullImage(client: LxdClient, p: PullImage): Promise<string | undefined> {
  const source: Record<string, string> = {
    type: 'image',
    mode: 'pull',
    server: p.remote.url,
    protocol: p.remote.protocol,
    certificate: p.remote.certificate ?? '',
  };
  if (p.alias !== undefined) source.alias = p.alias;
  if (p.fingerprint !== undefined) source.fingerprint = p.fingerprint;
  const res = await client.request<{ fingerprint?: string } | undefined>('POST', '/1.0/images', {
    body: { source, public: p.public, auto_update: p.autoUpdate },
  });
  return res.value?.fingerprint;
}
