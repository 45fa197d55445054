/**
 * The `source:` files of instances' `files:` are read when the manifests load (so a plan sees their
 * hash, and a missing file is a located error before anything changes). Paths are relative to the
 * folder of the manifest file that names them (manifest.ts made them absolute).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../../errors.js';
import { displayPath } from '../../manifest/files.js';
import type { Manifest } from '../types.js';
import { FILE_MAX, sha256Of } from './files.js';

export async function readInstanceFiles(m: Manifest): Promise<LxplanError[]> {
  const errors: LxplanError[] = [];
  for (const inst of Object.values(m.instances)) {
    for (const [target, f] of Object.entries(inst.files ?? {})) {
      if (!f.source) {
        if (Buffer.from(f.content, 'base64').length > FILE_MAX) errors.push(tooBig(inst.name, target, inst.keyAt?.[`files.${target}`] ?? inst.at));
        continue;
      }
      const at = inst.keyAt?.[`files.${target}.source`] ?? inst.keyAt?.[`files.${target}`] ?? inst.at;
      const st = await stat(f.source).catch(() => undefined);
      if (!st?.isFile()) {
        errors.push(
          new LxplanError('manifest.io', `file "${target}" of instance "${inst.name}": ${displayPath(f.source)} ${st ? 'is not a file' : 'does not exist'}`, {
            location: at,
            hint: `source: is relative to the folder of the manifest file (${displayPath(path.dirname(path.resolve(at.file)))})`,
          }),
        );
        continue;
      }
      if (st.size > FILE_MAX) {
        errors.push(tooBig(inst.name, target, at));
        continue;
      }
      const bytes = await readFile(f.source);
      f.content = bytes.toString('base64');
      f.sha256 = sha256Of(bytes);
    }
  }
  return errors;
}

function tooBig(instance: string, target: string, location: LxplanError['location']): LxplanError {
  return new LxplanError('manifest.value', `file "${target}" of instance "${instance}" is bigger than ${FILE_MAX / 1024} KiB`, {
    location,
    hint: 'files: is for configuration files (the plan and the state carry their hashes and small texts); put data on a disk device',
  });
}
