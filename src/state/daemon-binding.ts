/**
 * Which server a state belongs to (issue 13). A state's addresses name objects of one daemon:
 * used against another one, every managed object would look deleted outside lxplan, and an
 * apply would make them again there (or delete what it finds there under the same names).
 *
 * A daemon is known by its certificate: GET /1.0 `environment.certificate_fingerprint` (LXD
 * 5.0 and Incus 6.0 alike), the same whether it is reached over the unix socket or over HTTPS,
 * and stable for the life of the daemon's data directory. Every member of a cluster answers
 * with the cluster's certificate (`cluster.crt`, which all members share, and which they also
 * present on HTTPS) instead of its own server.crt: a cluster is one server whichever member a
 * run reaches (seen on scripts/cluster-up.sh's m1 and m2). A daemon that later joins or forms a
 * cluster therefore becomes another server: docs/state.md says how to re-bind its state.
 */
import type { DaemonRecord } from './model.js';

/** The part of GET /1.0 that says who the daemon is (LxdServer has it; written here so nothing else needs to). */
export interface ServerIdentity {
  environment?: { certificate_fingerprint?: string; server_clustered?: boolean };
}

/** How a transport's endpoint reads in a message: a socket path, or a remote's "NAME (https://...)". */
export function endpointLabel(endpoint: string): string {
  return endpoint.startsWith('/') ? `unix socket ${endpoint}` : `remote ${endpoint}`;
}

/** The record of the server GET /1.0 describes, reached at `endpoint`; undefined when the daemon does not say its certificate. */
export function daemonRecord(server: ServerIdentity, endpoint: string): DaemonRecord | undefined {
  const fp = server.environment?.certificate_fingerprint?.toLowerCase().replace(/:/g, '');
  if (!fp || !/^[0-9a-f]{64}$/.test(fp)) return undefined;
  return { fingerprint: fp, endpoint: endpointLabel(endpoint), ...(server.environment?.server_clustered ? { clustered: true } : {}) };
}

/** "the cluster with certificate SHA-256 ... (reached at ...)". */
export function describeDaemon(s: DaemonRecord, reached: string): string {
  return `${s.clustered ? 'the cluster' : 'the server'} with certificate SHA-256 ${s.fingerprint} (${reached} ${s.endpoint})`;
}
