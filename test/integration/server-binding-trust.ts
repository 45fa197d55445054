/**
 * A client certificate trusted by a daemon, as a CI secret would hold it: made with lxplan's own
 * identity code (src/lxd/trust.ts: ECDSA P-384, as lxc makes one), added to the daemon's trust
 * store through its unix socket (POST /1.0/certificates: what `lxc config trust add FILE` does),
 * and removed again by `untrust`. For the tests that connect over HTTPS with environment
 * variables only (server-binding.test.ts, ci-example.test.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LxdClient } from '../../src/lxd/client.js';
import { fingerprintOf } from '../../src/lxd/tls.js';
import { ensureClientIdentity } from '../../src/lxd/trust.js';

export interface TrustedClient {
  certificate: string;
  key: string;
  /** SHA-256 of the client certificate (its name in the daemon's trust store). */
  fingerprint: string;
  untrust(): Promise<void>;
}

/** A client identity made in `dir` and trusted by the daemon behind `socket` (a cluster's trust store is the cluster's). */
export async function trustedClient(dir: string, socket: string, name: string): Promise<TrustedClient> {
  const id = await ensureClientIdentity(dir);
  const der = id.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const fingerprint = fingerprintOf(id.certificate);
  const admin = new LxdClient({ socketPath: socket });
  try {
    await admin.request('POST', '/1.0/certificates', { body: { type: 'client', name, certificate: der } });
  } finally {
    admin.close();
  }
  const untrust = async () => {
    const c = new LxdClient({ socketPath: socket });
    try {
      await c.request('DELETE', `/1.0/certificates/${fingerprint}`).catch(() => undefined);
    } finally {
      c.close();
    }
  };
  return { certificate: id.certificate, key: id.key, fingerprint, untrust };
}

/** The certificate a daemon presents (server.crt; a cluster member's cluster.crt), and its SHA-256. */
export async function serverFingerprint(lxdDir: string, clustered = false): Promise<string> {
  return fingerprintOf(await readFile(path.join(lxdDir, clustered ? 'cluster.crt' : 'server.crt'), 'utf8'));
}

/** The environment a hosted runner has: the remote's URL, the pinned fingerprint and the client's PEM texts, nothing on disk. */
export function remoteEnv(url: string, serverFp: string, client: TrustedClient, tmp: string): NodeJS.ProcessEnv {
  return {
    LXPLAN_REMOTE_URL: url,
    LXPLAN_SERVER_FINGERPRINT: serverFp,
    LXPLAN_CLIENT_CERT: client.certificate,
    LXPLAN_CLIENT_KEY: client.key,
    // No config directory of lxplan, lxc or incus to fall back on: the secrets alone.
    LXPLAN_CONF: path.join(tmp, 'no-lxplan-conf'),
    LXD_CONF: path.join(tmp, 'no-lxc-conf'),
    INCUS_CONF: path.join(tmp, 'no-incus-conf'),
  };
}
