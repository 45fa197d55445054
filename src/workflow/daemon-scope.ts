/**
 * The daemon and the state a directory's run works with, decided the one way, as
 * project-scope.ts decides the project:
 *
 *  - the daemon: the manifests' top-level `remote:` or --remote / LXPLAN_REMOTE; both given and
 *    different is an error (a shell that exports LXPLAN_REMOTE=staging must not apply a prod
 *    directory to staging). A name the manifests' `remotes:` define is connected to as they say
 *    (url, pin, client certificate); any other name is looked up in the CLI config directories
 *    (src/lxd/connect.ts); "local" is the unix socket.
 *  - the state: the manifests' `backend:` or --state / --backend / LXPLAN_STATE; both given and
 *    different is an error, for the same reason.
 */
import path from 'node:path';
import { LxplanError } from '../errors.js';
import type { DaemonChoice, DefinedRemote } from '../lxd/connect.js';
import type { ServerPin } from '../lxd/tls.js';
import { formatLocation } from '../manifest/parse.js';
import type { Manifest } from '../resources/types.js';
import { redactUrl } from '../state/pg-store.js';

/** The daemon a directory's run talks to: from --remote / --socket and the manifests' `remote:` and `remotes:`. */
export function resolveDaemon(flags: { remote?: string; socket?: string }, m: Manifest): DaemonChoice {
  const declared = m.remote;
  if (flags.remote !== undefined && declared !== undefined && flags.remote !== declared) {
    throw new LxplanError(
      'usage',
      `--remote (or LXPLAN_REMOTE) says "${flags.remote}" and the manifests say remote: ${declared} at ${formatLocation(m.remoteAt!)}`,
      {
        location: m.remoteAt,
        hint: `leave out --remote (and unset LXPLAN_REMOTE) to work on "${declared}", or make them agree`,
      },
    );
  }
  const remote = declared ?? flags.remote;
  if (declared !== undefined && declared !== 'local' && flags.socket) {
    throw new LxplanError('usage', `--socket and the manifests' remote: ${declared} (${formatLocation(m.remoteAt!)}) both name the daemon: give one`, {
      location: m.remoteAt,
    });
  }
  const defined = remote && remote !== 'local' ? definedRemote(m, remote) : undefined;
  return { ...(flags.socket ? { socket: flags.socket } : {}), ...(remote !== undefined ? { remote } : {}), ...(defined ? { defined } : {}) };
}

/** The manifests' definition of remote `name`, with its certificates read (undefined: not defined there). */
function definedRemote(m: Manifest, name: string): DefinedRemote | undefined {
  const r = m.remotes?.[name];
  if (!r) return undefined;
  if (r.protocol !== 'lxd') {
    throw new LxplanError('usage', `remote "${name}" (${formatLocation(r.at)}) is a ${r.protocol} image server, not a daemon lxplan can manage`, {
      location: r.at,
    });
  }
  const c = m.remoteCredentials?.[name] ?? {};
  const pin: ServerPin | undefined = c.certificate
    ? { certificate: c.certificate }
    : c.fingerprint
      ? { fingerprint: c.fingerprint }
      : c.ca
        ? { ca: c.ca }
        : undefined;
  return {
    name,
    url: r.url,
    ...(pin ? { pin } : {}),
    ...(c.clientCertificate ? { clientCertificate: c.clientCertificate } : {}),
    ...(c.clientKey ? { clientKey: c.clientKey } : {}),
    where: formatLocation(r.at),
  };
}

/** A --state value compared as what it names: a file path made absolute. */
function sameSpec(spec: string): string {
  return /^(lxd:|postgres:|postgresql:)/.test(spec) ? spec : path.resolve(spec);
}

/** Where the state is: --state (or --backend / LXPLAN_STATE) or the manifests' `backend:`; absent both: undefined (the default file). */
export function resolveStateSpec(flag: string | undefined, m: Manifest): string | undefined {
  const declared = m.backend;
  if (flag !== undefined && declared && sameSpec(flag) !== sameSpec(declared.spec)) {
    throw new LxplanError(
      'usage',
      `--state (or LXPLAN_STATE) says ${redactUrl(flag)} and the manifests say backend: ${redactUrl(declared.spec)} at ${formatLocation(declared.at)}`,
      {
        location: declared.at,
        hint: "leave out --state (and unset LXPLAN_STATE) to use the manifests' backend:, or make them agree",
      },
    );
  }
  return declared?.spec ?? flag;
}

/**
 * The state of one daemon of a directory that spans several (its files name several `remote:`):
 * each daemon has its own state, next to the others. A file `lxplan.state.json` becomes
 * `lxplan.state.prod.json`; a PostgreSQL workspace `web` becomes `web.prod`; `lxd:NAME` is kept on
 * each daemon already, so it stays as it is.
 */
export function perRemoteState(spec: string, remote: string): string {
  if (spec.startsWith('lxd:')) return spec;
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const url = new URL(spec);
    url.searchParams.set('workspace', `${url.searchParams.get('workspace') ?? 'default'}.${remote}`);
    return url.toString();
  }
  const ext = path.extname(spec);
  return ext ? `${spec.slice(0, -ext.length)}.${remote}${ext}` : `${spec}.${remote}`;
}

/** A run that works on one daemon's objects (refresh, import, restore) in a directory spanning several: --remote must say which. */
export function oneDaemonOf(m: Manifest, what: string): void {
  if (m.spans && !m.remote)
    throw new LxplanError('usage', `the files of this directory name several daemons (${m.spans.join(', ')}): ${what} works on one`, {
      hint: `add --remote ${m.spans[0]} (or another of them)`,
    });
}
