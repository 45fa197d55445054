/**
 * `remotes:` merged across files, and each entry's certificates and keys read: from a path
 * (relative to the manifest file that names it) or from `${env:NAME}` holding the PEM text or a
 * path (a CI secret). A missing or unreadable file, a variable not set, or a text that is no
 * certificate is a manifest error with its position, before anything is asked of a daemon; the
 * errors never show a secret's value. The kinds that name a remote link to it in their checks
 * (an image's source: src/resources/image/); the session connects to the one `remote:` names
 * (src/workflow/daemon-scope.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { certificateFingerprint } from '../lxd/remote.js';
import { isFingerprint, normaliseFingerprint } from '../lxd/tls.js';
import type { DesiredRemote, Manifest, RemoteCredentials } from '../resources/types.js';
import { resolveEnvText } from './env.js';
import { displayPath } from './files.js';
import { formatLocation } from './parse.js';

const HINTS: Record<string, string> = {
  certificate: "the server's own certificate, e.g. /var/lib/lxd/server.crt on that server (`lxc info` shows it); paths are relative to the manifest file",
  ca: 'a CA certificate (PEM) that signs the server certificate; paths are relative to the manifest file',
  client_certificate: 'the client certificate the server trusts (`lxplan remote add` makes one; `lxc config trust list` on the server shows the trusted ones)',
  client_key: "the client certificate's private key (PEM); keep it out of git: ${env:NAME} or a path outside the repository",
  fingerprint: "the server certificate's SHA-256 fingerprint: `lxc info` on the server, certificate_fingerprint",
};

/** What is wrong with a PEM text for `key` (undefined: nothing). */
function pemProblem(key: string, pem: string): string | undefined {
  try {
    if (key === 'client_key') createPrivateKey(pem);
    else certificateFingerprint(pem);
    return undefined;
  } catch {
    return key === 'client_key' ? 'is not a PEM private key' : 'is not a PEM certificate';
  }
}

/** Sets m.remotes (when any file has remotes:) and m.remoteCredentials; returns the PEM certificate of each remote that names a readable one. */
export async function mergeRemotes(
  m: Manifest,
  remotes: DesiredRemote[],
  errors: LxplanError[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Map<string, string>> {
  const byName: Record<string, DesiredRemote> = {};
  for (const r of remotes) {
    const prev = byName[r.name];
    if (prev) {
      errors.push(
        new LxplanError('manifest.duplicate', `remote "${r.name}" is defined twice: at ${formatLocation(prev.at)} and at ${formatLocation(r.at)}`, {
          location: r.at,
          hint: 'names are unique across all manifest files: rename or remove one',
        }),
      );
      continue;
    }
    byName[r.name] = r;
  }
  if (remotes.length > 0) m.remotes = byName;

  const pems = new Map<string, string>();
  const credentials: Record<string, RemoteCredentials> = {};
  for (const r of Object.values(byName)) {
    const read: RemoteCredentials = {};
    for (const [key, written] of Object.entries(r.raw ?? {})) {
      const location = r.keyAt?.[key] ?? r.at;
      const fail = (what: string) =>
        errors.push(
          new LxplanError(key === 'certificate' ? 'manifest.io' : 'manifest.value', `remote "${r.name}": ${key} ${what}`, { location, hint: HINTS[key] }),
        );
      const { text, missing } = resolveEnvText(written, env);
      if (missing.length > 0) {
        for (const name of missing) fail(`uses environment variable ${name}, which is not set`);
        continue;
      }
      const fromEnv = written.includes('${env:');
      if (key === 'fingerprint') {
        if (!isFingerprint(text)) fail(`${fromEnv ? `(${written}) ` : ''}is not a SHA-256 fingerprint (64 hex digits, with or without colons)`);
        else read.fingerprint = normaliseFingerprint(text);
        continue;
      }
      let pem: string;
      let source = fromEnv ? `(${written})` : '';
      if (text.includes('-----BEGIN')) pem = text;
      else {
        const file = path.resolve(r.dir ?? m.dir, text.trim());
        if (!existsSync(file)) {
          fail(fromEnv ? `(${written}) holds neither PEM text nor the path of an existing file` : `${displayPath(file)} does not exist`);
          continue;
        }
        source = displayPath(file);
        try {
          pem = await readFile(file, 'utf8');
        } catch (e) {
          fail(`${displayPath(file)} cannot be read (${(e as Error).message})`);
          continue;
        }
      }
      const problem = pemProblem(key, pem);
      if (problem) {
        fail(`${source ? `${source} ` : ''}${problem}`);
        continue;
      }
      if (key === 'certificate') read.certificate = pem;
      else if (key === 'ca') read.ca = pem;
      else if (key === 'client_certificate') read.clientCertificate = pem;
      else read.clientKey = pem;
    }
    if (read.certificate) pems.set(r.name, read.certificate);
    if (Object.keys(read).length > 0) credentials[r.name] = read;
  }
  if (Object.keys(credentials).length > 0) m.remoteCredentials = credentials;
  return pems;
}
