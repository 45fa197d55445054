/**
 * `remotes:` (image servers) merged across files, and each image copied from one linked to it:
 * the image's source gets the server's URL, protocol and certificate (read here, so a missing or
 * unreadable certificate file is a manifest error with its position, before anything is asked).
 */
import { readFile } from 'node:fs/promises';
import { LxplanError } from '../errors.js';
import { certificateFingerprint } from '../lxd/remote.js';
import { isRemoteSource, type DesiredRemote, type Manifest } from '../resources/types.js';
import { didYouMean } from './hints.js';
import { displayPath } from './files.js';
import { formatLocation } from './parse.js';

export async function linkRemotes(m: Manifest, remotes: DesiredRemote[]): Promise<LxplanError[]> {
  const errors: LxplanError[] = [];
  const byName: Record<string, DesiredRemote> = {};
  for (const r of remotes) {
    const prev = byName[r.name];
    if (prev) {
      errors.push(new LxplanError('manifest.duplicate', `remote "${r.name}" is defined twice: at ${formatLocation(prev.at)} and at ${formatLocation(r.at)}`, {
        location: r.at, hint: 'names are unique across all manifest files: rename or remove one',
      }));
      continue;
    }
    byName[r.name] = r;
  }
  if (remotes.length > 0) m.remotes = byName;

  const pems = new Map<string, string>();
  for (const r of Object.values(byName)) {
    if (!r.certificatePath) continue;
    try {
      const pem = await readFile(r.certificatePath, 'utf8');
      certificateFingerprint(pem);
      pems.set(r.name, pem);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push(new LxplanError('manifest.io', `remote "${r.name}": certificate ${displayPath(r.certificatePath)} ${err.code === 'ENOENT' ? 'does not exist' : err.code ? `cannot be read (${err.message})` : 'is not a PEM certificate'}`, {
        location: r.keyAt?.certificate ?? r.at,
        hint: 'the server\'s own certificate, e.g. /var/lib/lxd/server.crt on that server (`lxc info` shows it); paths are relative to the manifest file',
      }));
    }
  }

  for (const img of Object.values(m.images)) {
    const s = img.source;
    if (!isRemoteSource(s)) continue;
    const r = byName[s.remote];
    if (!r) {
      errors.push(new LxplanError('manifest.reference', `image "${img.name}" is copied from remote "${s.remote}", which is not defined under remotes:`, {
        location: img.keyAt?.['source.remote'] ?? img.at,
        hint: didYouMean(s.remote, Object.keys(byName)) ?? 'add it: remotes: {NAME: {url: https://HOST:8443, protocol: lxd, certificate: FILE}}',
      }));
      continue;
    }
    s.server = r.url;
    s.protocol = r.protocol;
    s.certificate = pems.get(r.name) ?? '';
  }
  return errors;
}
