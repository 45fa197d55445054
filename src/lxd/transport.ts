/**
 * How bytes reach LXD. The client only builds requests and reads LXD's JSON envelopes;
 * a Transport moves them. Today that is the local unix socket; an HTTPS transport with a
 * TLS client certificate (a remote daemon, a cluster member) implements the same
 * interface, so callers never change.
 */
import http from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { isConnectError, unreachable } from './errors.js';

export interface TransportRequest {
  method: string;
  /** Path with its query string, e.g. /1.0/instances?recursion=1&project=p. */
  path: string;
  headers: Record<string, string>;
  /** A stream body must come with a content-length header; it is never retried. */
  body?: Buffer | Readable;
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Transport {
  /** Where the daemon is, for messages: a socket path or an https URL. */
  readonly endpoint: string;
  /** Rejects with LxplanError('lxd.unreachable') when the daemon cannot be reached. */
  send(req: TransportRequest): Promise<TransportResponse>;
  /** Drops pooled connections so the process can exit. */
  close(): void;
}

/**
 * LXD's unix socket, through one keep-alive agent: a plan makes a handful of requests
 * and an apply many more, and reusing connections keeps each one at a round trip.
 */
export class UnixTransport implements Transport {
  readonly endpoint: string;
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(readonly socketPath: string) {
    this.endpoint = socketPath;
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    return this.attempt(req, true);
  }

  close(): void {
    this.agent.destroy();
  }

  private attempt(r: TransportRequest, mayRetry: boolean): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, socketPath: this.socketPath, method: r.method, path: r.path, headers: { host: 'lxd', ...r.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A pooled connection the daemon closed while idle fails on first use; Node's
        // documented remedy is to retry once on a fresh one. Streams cannot be replayed.
        if (mayRetry && req.reusedSocket && e.code === 'ECONNRESET' && !(r.body instanceof Readable)) {
          resolve(this.attempt(r, false));
        } else {
          reject(isConnectError(e) ? unreachable(this.endpoint, e) : e);
        }
      });
      if (r.body instanceof Readable) {
        // An early answer (LXD rejecting the upload) may cut the stream: the response wins.
        pipeline(r.body, req, (err) => {
          if (err) reject(isConnectError(err) ? unreachable(this.endpoint, err) : err);
        });
      } else {
        req.end(r.body);
      }
    });
  }
}
