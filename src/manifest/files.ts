/**
 * Which files make up a configuration, and how their paths are shown. A directory is read
 * flat (not recursively) in name order, so the same tree always loads the same way.
 */
import { readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../errors.js';

/** A path as shown in messages: relative to the working directory when under it, else absolute. */
export function displayPath(abs: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return abs;
  return rel;
}

/** True for names a manifest directory contributes: *.yaml / *.yml, not hidden (editor lock and swap files are). */
export function isManifestName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

/** The manifest directory (absolute) and the files in it to read (absolute, in order). */
export async function manifestFiles(pathArg: string): Promise<{ dir: string; files: string[] }> {
  const abs = path.resolve(pathArg);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LxplanError(
      'manifest.io',
      code === 'ENOENT' ? `manifest path "${pathArg}" does not exist` : `cannot read manifest path "${pathArg}": ${(e as Error).message}`,
      {
        hint: 'give a manifest file or a directory of *.yaml files',
        cause: e,
      },
    );
  }
  if (!st.isDirectory()) {
    // Not a FIFO or a device: opening one could block, or read forever.
    if (!st.isFile())
      throw new LxplanError('manifest.io', `manifest path "${pathArg}" is neither a file nor a directory`, {
        hint: 'give a manifest file or a directory of *.yaml files',
      });
    return { dir: path.dirname(abs), files: [abs] };
  }
  const entries = await readdir(abs, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (!isManifestName(e.name)) continue;
    const p = path.join(abs, e.name);
    // Follow symlinks, skip directories that happen to be named *.yaml. A link to nothing is an
    // error, not a file to skip: its objects would vanish from the configuration, and the plan
    // would delete them.
    let s: { isFile(): boolean } = e;
    if (e.isSymbolicLink()) {
      try {
        s = await stat(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const target = await readlink(p).catch(() => '?');
        const why =
          code === 'ENOENT' ? 'which does not exist' : code === 'ELOOP' ? 'which leads back to itself (a loop of links)' : `which cannot be followed (${code})`;
        throw new LxplanError('manifest.io', `manifest file ${displayPath(p)} is a symbolic link to ${target}, ${why}`, {
          hint: 'fix or remove the link: the objects it should define would otherwise be missing from the plan',
          cause: err,
        });
      }
    }
    if (s.isFile()) files.push(p);
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) {
    throw new LxplanError('manifest.io', `no manifest files (*.yaml, *.yml) in directory "${pathArg}"`, {
      hint: 'point at the directory that holds your manifests, or at one manifest file',
    });
  }
  return { dir: abs, files };
}
