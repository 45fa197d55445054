/**
 * `remotes:` (image servers) merged across files, each certificate read (so a missing or
 * unreadable certificate file is a manifest error with its position, before anything is asked).
 * The kinds that name a remote link to it in their checks (an image's source: src/resources/image/).
 */
import { readFile } from 'node:fs/promises';
import { LxplanError } from '../errors.js';
import { certificateFingerprint } from '../lxd/remote.js';
import type { DesiredRemote, Manifest } from '../resources/types.js';
import { displayPath } from './files.js';
import { formatLocation } from './parse.js';

/** Sets m.remotes (when any file has remotes:); returns the PEM certificate of each remote that names a readable one. */
export async function mergeRemotes(m: Manifest, remotes: DesiredRemote[], errors: LxplanError[]): Promise<Map<string, string>> {
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
  for (const r of Object.values(byName)) {
    if (!r.certificatePath) continue;
    try {
      const pem = await readFile(r.certificatePath, 'utf8');
      certificateFingerprint(pem);
      pems.set(r.name, pem);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push(
        new LxplanError(
          'manifest.io',
          `remote "${r.name}": certificate ${displayPath(r.certificatePath)} ${err.code === 'ENOENT' ? 'does not exist' : err.code ? `cannot be read (${err.message})` : 'is not a PEM certificate'}`,
          {
            location: r.keyAt?.certificate ?? r.at,
            hint: "the server's own certificate, e.g. /var/lib/lxd/server.crt on that server (`lxc info` shows it); paths are relative to the manifest file",
          },
        ),
      );
    }
  }
  return pems;
}
