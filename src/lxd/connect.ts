/**
 * Which daemon a run talks to, and how: the local unix socket, or a remote over HTTPS.
 *
 * A remote is named (`--remote NAME`, or `remote: NAME` in the manifests) and looked up in the
 * CLI config directories (./cli-config.ts), or given whole by environment variables, so that a
 * hosted CI runner connects with its secrets alone:
 *
 *   LXPLAN_REMOTE_URL          https://HOST:PORT (with it, the variables below; no config directory needed)
 *   LXPLAN_CLIENT_CERT         the client certificate: PEM text, or a path to it
 *   LXPLAN_CLIENT_KEY          its key: PEM text, or a path to it
 *   LXPLAN_SERVER_CERT         the server's certificate to pin: PEM text, or a path to it; or
 *   LXPLAN_SERVER_FINGERPRINT  its SHA-256 fingerprint (either spelling); or
 *   LXPLAN_SERVER_CA           a CA that signs the server's certificate
 *
 * A named remote takes its client certificate from the same directory (client.crt/client.key),
 * unless LXPLAN_CLIENT_CERT/KEY are set, and its pin from servercerts/NAME.crt, unless a
 * LXPLAN_SERVER_* variable is set. Nothing pinned is an error showing the fingerprint the server
 * presents: lxplan never talks to a server it has not been told to recognise.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { configDirs, findCliRemote, isDaemonProtocol, knownRemoteNames, type ConfigDir } from './cli-config.js';
import { HttpsTransport, type HttpsRemote } from './https.js';
import { resolveSocketPath } from './socket.js';
import { isFingerprint, normaliseFingerprint, peekServerFingerprint, type ServerPin } from './tls.js';
import { UnixTransport, type Transport } from './transport.js';

/** What the command line and the manifests say about the daemon. */
export interface DaemonChoice {
  /** --socket: a unix socket path. */
  socket?: string;
  /** --remote or the manifests' `remote:`: a remote's name; "local" is the unix socket. */
  remote?: string;
  /** The remote as the manifests' `remotes:` define it, when they do: then it is not looked up in the CLI config. */
  defined?: DefinedRemote;
}

/** A remote defined in the manifests (`remotes: {NAME: {url, fingerprint, client_certificate, ...}}`), its files read. */
export interface DefinedRemote {
  name: string;
  url: string;
  pin?: ServerPin;
  clientCertificate?: string;
  clientKey?: string;
  /** Where it is defined ("infra/remotes.yaml:3:3"), for messages. */
  where: string;
}

/** PEM text given directly, or read from the path given. */
function pemOrPath(value: string, what: string): string {
  if (value.includes('-----BEGIN')) return value;
  if (!existsSync(value)) throw new LxplanError('usage', `${what}: neither PEM text nor an existing file (${value})`);
  return readFileSync(value, 'utf8');
}

function pinFromEnv(env: NodeJS.ProcessEnv): ServerPin | undefined {
  if (env.LXPLAN_SERVER_CERT) return { certificate: pemOrPath(env.LXPLAN_SERVER_CERT, 'LXPLAN_SERVER_CERT') };
  if (env.LXPLAN_SERVER_FINGERPRINT) {
    if (!isFingerprint(env.LXPLAN_SERVER_FINGERPRINT))
      throw new LxplanError('usage', 'LXPLAN_SERVER_FINGERPRINT: not a SHA-256 fingerprint (64 hex digits, with or without colons)');
    return { fingerprint: normaliseFingerprint(env.LXPLAN_SERVER_FINGERPRINT) };
  }
  if (env.LXPLAN_SERVER_CA) return { ca: pemOrPath(env.LXPLAN_SERVER_CA, 'LXPLAN_SERVER_CA') };
  return undefined;
}

/**
 * The HTTPS remote a choice names (undefined: the local socket). Throws when the remote is
 * unknown, has no client certificate, or (after asking the server for its fingerprint, to show
 * it) nothing is pinned.
 */
export async function resolveRemote(
  choice: DaemonChoice,
  env: NodeJS.ProcessEnv = process.env,
  dirs: ConfigDir[] = configDirs(env),
): Promise<HttpsRemote | undefined> {
  const named = choice.remote && choice.remote !== 'local' ? choice.remote : undefined;
  if (!named && !env.LXPLAN_REMOTE_URL) return undefined;
  if (named && choice.socket) throw new LxplanError('usage', `--socket and remote "${named}" both name the daemon: give one`);
  const envCert = env.LXPLAN_CLIENT_CERT ? pemOrPath(env.LXPLAN_CLIENT_CERT, 'LXPLAN_CLIENT_CERT') : undefined;
  const envKey = env.LXPLAN_CLIENT_KEY ? pemOrPath(env.LXPLAN_CLIENT_KEY, 'LXPLAN_CLIENT_KEY') : undefined;
  let name: string;
  let url: string;
  let pin = pinFromEnv(env);
  let clientCertificate = envCert;
  let clientKey = envKey;
  let where: string;
  if (named && choice.defined) {
    const d = choice.defined;
    name = named;
    url = d.url;
    pin ??= d.pin;
    clientCertificate ??= d.clientCertificate;
    clientKey ??= d.clientKey;
    where = `remotes: at ${d.where}`;
    // No client certificate in the manifests or the environment: lxplan's own (`lxplan remote add` makes it).
    if (!clientCertificate || !clientKey) {
      const own = ownClientCertificate(dirs);
      if (own) {
        clientCertificate ??= own.certificate;
        clientKey ??= own.key;
      }
    }
  } else if (named) {
    const found = findCliRemote(named, dirs);
    if (!found) {
      const known = knownRemoteNames(dirs);
      throw new LxplanError(
        'usage',
        `no remote named "${named}" in ${dirs.map((d) => d.dir).join(', ')}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
        {
          hint: `add it with \`lxplan remote add ${named} https://HOST:8443 --token TOKEN\` (a token from \`lxc config trust add\` on the server)`,
        },
      );
    }
    if (!/^https:\/\//.test(found.url))
      throw new LxplanError('usage', `remote "${named}" (${found.from.dir}) is ${found.url}, not an LXD or Incus server over https`);
    if (!isDaemonProtocol(found.protocol))
      throw new LxplanError('usage', `remote "${named}" is a ${found.protocol} image server, not a daemon lxplan can manage`);
    name = named;
    url = found.url;
    pin ??= found.serverCertificate ? { certificate: found.serverCertificate } : undefined;
    clientCertificate ??= found.clientCertificate;
    clientKey ??= found.clientKey;
    where = found.from.dir;
  } else {
    name = env.LXPLAN_REMOTE_NAME || 'remote';
    url = env.LXPLAN_REMOTE_URL!;
    where = 'LXPLAN_CLIENT_CERT / LXPLAN_CLIENT_KEY';
  }
  if (!clientCertificate || !clientKey) {
    throw new LxplanError('usage', `remote "${name}": no client certificate and key (${where})`, {
      hint: choice.defined
        ? `give client_certificate: and client_key: in remote "${name}" (paths, or \${env:NAME} holding the PEM text), or set LXPLAN_CLIENT_CERT and LXPLAN_CLIENT_KEY`
        : `\`lxplan remote add ${name} ${url} --token TOKEN\` makes one and gets it trusted; or set LXPLAN_CLIENT_CERT and LXPLAN_CLIENT_KEY`,
    });
  }
  if (!pin) {
    let seen = '';
    try {
      seen = ` The server at ${url} presents SHA-256 ${(await peekServerFingerprint(url)).fingerprint}: check it on the server (\`lxc info\`, certificate_fingerprint) before pinning it.`;
    } catch {
      /* unreachable: the message says what is missing anyway */
    }
    throw new LxplanError(
      'lxd.certificate',
      `remote "${name}": no server certificate is pinned, and lxplan never connects to a server it cannot recognise.${seen}`,
      {
        hint: choice.defined
          ? `pin it in remote "${name}" (${choice.defined.where}): fingerprint:, certificate: or ca:; or set LXPLAN_SERVER_FINGERPRINT`
          : `pin it with \`lxplan remote add ${name} ${url} --token TOKEN\`, or set LXPLAN_SERVER_FINGERPRINT (or LXPLAN_SERVER_CERT, LXPLAN_SERVER_CA)`,
      },
    );
  }
  return { name, url, pin, clientCertificate, clientKey };
}

/** lxplan's own client certificate and key (what `lxplan remote add` made), when there are both. */
function ownClientCertificate(dirs: ConfigDir[]): { certificate: string; key: string } | undefined {
  const own = dirs.find((d) => d.tool === 'lxplan');
  if (!own) return undefined;
  const crt = path.join(own.dir, 'client.crt');
  const key = path.join(own.dir, 'client.key');
  if (!existsSync(crt) || !existsSync(key)) return undefined;
  return { certificate: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** The transport for a choice: HTTPS to the remote it names, else the unix socket. */
export async function transportFor(choice: DaemonChoice, env: NodeJS.ProcessEnv = process.env): Promise<Transport> {
  const remote = await resolveRemote(choice, env);
  return remote ? new HttpsTransport(remote) : new UnixTransport(resolveSocketPath(choice.socket, env));
}
