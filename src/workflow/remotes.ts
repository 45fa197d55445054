/**
 * Remote daemons as lxplan knows them: added once with a trust token (`lxplan remote add`),
 * written in the `lxc` CLI's own format to lxplan's config directory, and listed from every
 * config directory lxplan reads (src/lxd/cli-config.ts).
 */
import { LxplanError } from '../errors.js';
import { configDirs, findCliRemote, isDaemonRemote, readRemotes, writeCliRemote, type ConfigDir } from '../lxd/cli-config.js';
import { fingerprintOf } from '../lxd/tls.js';
import { decodeTrustToken, ensureClientIdentity, tokenExpiry, trustWithToken } from '../lxd/trust.js';

export interface AddedRemote {
  name: string;
  url: string;
  fingerprint: string;
  /** Where it was written (lxplan's config directory). */
  dir: string;
  /** A client certificate was made for lxplan (there was none). */
  createdIdentity: boolean;
  alreadyTrusted: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function addRemote(name: string, url: string | undefined, token: string, env: NodeJS.ProcessEnv = process.env): Promise<AddedRemote> {
  if (!NAME.test(name) || name === 'local')
    throw new LxplanError('usage', `"${name}" cannot name a remote: use letters, digits, '.', '_' and '-' (and not "local", the unix socket)`);
  if (url !== undefined && !/^https:\/\//.test(url)) url = `https://${url}`;
  // Bad input changes nothing: the token is checked before a client certificate is made.
  const expiry = tokenExpiry(decodeTrustToken(token));
  if (expiry && expiry.getTime() <= Date.now())
    throw new LxplanError(
      'usage',
      `the trust token for remote "${name}" expired at ${expiry.toISOString()}: make a new one on the server (\`lxc config trust add\`)`,
    );
  const own = configDirs(env)[0];
  const identity = await ensureClientIdentity(own.dir);
  const trusted = await trustWithToken(name, token, identity, url);
  writeCliRemote(own.dir, name, { addr: trusted.url, protocol: 'lxd', auth_type: 'tls' }, trusted.serverCertificate);
  return { name, url: trusted.url, fingerprint: trusted.fingerprint, dir: own.dir, createdIdentity: identity.created, alreadyTrusted: trusted.alreadyTrusted };
}

export interface ListedRemote {
  name: string;
  url: string;
  /** The pinned server certificate's fingerprint (absent: none pinned). */
  fingerprint?: string;
  from: ConfigDir;
  /** Another directory earlier in the order has a remote of this name: this one is not used. */
  shadowed: boolean;
}

export function listRemotes(env: NodeJS.ProcessEnv = process.env): ListedRemote[] {
  const dirs = configDirs(env);
  const seen = new Set<string>();
  const out: ListedRemote[] = [];
  for (const d of dirs) {
    const entries = readRemotes(d.dir);
    for (const name of Object.keys(entries).sort()) {
      // Image servers (simplestreams) and the local socket are not daemons lxplan manages remotely.
      if (!isDaemonRemote(entries[name])) continue;
      const r = findCliRemote(name, [d])!;
      out.push({ name, url: r.url, ...(r.serverCertificate ? { fingerprint: fingerprintOf(r.serverCertificate) } : {}), from: d, shadowed: seen.has(name) });
      seen.add(name);
    }
  }
  return out;
}
