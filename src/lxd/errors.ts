/**
 * The two ways talking to LXD goes wrong: the daemon cannot be reached at all
 * ('lxd.unreachable', the fix is on the machine), or it answered with an error
 * ('lxd.api', the fix is usually in what was asked). Both are LxplanErrors so the CLI
 * maps them to exit codes without knowing about LXD.
 */
import { LxplanError } from '../errors.js';
import { daemonAt } from './socket.js';

/**
 * LXD refused a request, or a background operation it started ended in failure.
 * `lxdError` is LXD's own sentence ("Invalid config: Invalid value: 12XB"); the message
 * leads with it, because that is what a person acts on, and ends with the request.
 */
export class LxdApiError extends LxplanError {
  /**
   * The HTTP status of the failed request (404, 409, 412 ...). When the request was
   * accepted (202) but its background operation failed, LXD's operation status code:
   * 400 (Failure) or 401 (Cancelled).
   */
  readonly status: number;
  readonly lxdError: string;
  readonly method: string;
  /** Path without the query string, e.g. /1.0/instances/web-1. */
  readonly path: string;
  /** Set when the failure came from a background operation: its URL. */
  readonly operation?: string;

  /** `daemon`: the daemon's word for the message ("LXD" or "Incus"), when the connection knows it; default LXD. */
  constructor(args: { status: number; lxdError: string; method: string; path: string; operation?: string; project?: string; daemon?: string }) {
    const what = args.operation ? (args.status === 401 ? 'operation cancelled' : 'operation failed') : `${args.status} ${statusText(args.status)}`;
    const where = args.project && args.project !== 'default' ? ` (project ${args.project})` : '';
    const lead = args.lxdError || statusText(args.status);
    super('lxd.api', `${lead} (${args.daemon ?? 'LXD'}: ${args.method} ${args.path}${where}: ${what})`);
    this.name = 'LxdApiError';
    this.status = args.status;
    this.lxdError = args.lxdError;
    this.method = args.method;
    this.path = args.path;
    this.operation = args.operation;
  }
}

export function isLxdApiError(e: unknown): e is LxdApiError {
  return e instanceof LxdApiError;
}

/**
 * True when LXD said the object does not exist: deletes treat that as done, `exists` as false.
 * Every "is it gone?" of lxplan asks this one predicate.
 *
 * Not every 404 says that. LXD 5.0.2 answers 404 too when the project a request is scoped to
 * (?project=P) does not exist: `Failed to load project "P": Project not found` (networks,
 * volumes), `Failed loading project "P": Project not found` (profiles), `Check if project has
 * images: fetch project: Project not found` (images). The object may well exist elsewhere (in
 * the default project, for a kind whose feature P lacks): that 404 is an error (isProjectMissing).
 * For a project itself (/1.0/projects/P) "Project not found" is the object not found.
 */
export function isNotFound(e: unknown): boolean {
  return e instanceof LxdApiError && e.status === 404 && !isProjectMissing(e);
}

/** True when LXD refused a request because the project it is scoped to does not exist (see isNotFound). */
export function isProjectMissing(e: unknown): boolean {
  return e instanceof LxdApiError && e.status === 404 && !e.path.startsWith('/1.0/projects') && /\bProject not found\b/i.test(e.lxdError);
}

/** True when an If-Match ETag no longer matched: someone changed the object since it was read. */
export function isPreconditionFailed(e: unknown): boolean {
  return e instanceof LxdApiError && e.status === 412;
}

/** Socket errors that mean "no daemon there (for us)", as opposed to a broken conversation. */
const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ENOTSOCK', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);

export function isConnectError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && UNREACHABLE_CODES.has(String((e as { code?: unknown }).code));
}

/** The error for a daemon that cannot be reached at `endpoint`, with what to try. */
export function unreachable(endpoint: string, cause: unknown): LxplanError {
  const code = (cause as { code?: unknown })?.code;
  const why =
    code === 'ENOENT'
      ? 'the socket does not exist'
      : code === 'ECONNREFUSED'
        ? 'nothing listens on the socket'
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied (run as root or as a member of the ${daemonAt(endpoint) === 'Incus' ? 'incus-admin' : 'lxd'} group)`
          : ((cause as Error)?.message ?? String(cause));
  // The word follows the socket (an HTTPS endpoint: either daemon): a remote's name is not a socket path.
  const word = endpoint.includes('https://') ? 'LXD or Incus' : daemonAt(endpoint);
  return new LxplanError('lxd.unreachable', `cannot reach ${word} at ${endpoint}: ${why}`, {
    cause,
    hint:
      word === 'Incus'
        ? 'start Incus (scripts/incus-up.sh here, or `incus admin init` on a new machine), or point lxplan at another daemon with --socket, INCUS_SOCKET / INCUS_DIR, or LXD_SOCKET / LXD_DIR'
        : 'start LXD (scripts/lxd-up.sh here, or `lxd init` on a new machine) or Incus (scripts/incus-up.sh), or point lxplan at another daemon with --socket, LXD_SOCKET / LXD_DIR, or INCUS_SOCKET / INCUS_DIR',
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `status ${status}`;
}
