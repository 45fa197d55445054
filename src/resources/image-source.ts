/**
 * Where a local image's bytes come from: a split image's two tarballs, or a root file system
 * directory lxplan packs (image-directory.ts). Both give the fingerprint LXD will assign before
 * anything is uploaded.
 */
import { LxplanError } from '../errors.js';
import { buildDirectoryImage, fingerprintOfDirectoryImage } from './image-directory.js';
import { fingerprintOfSplitImage } from './image-files.js';
import { isDirectorySource, type DesiredImage } from './types.js';

/** The fingerprint of a local image; a manifest error naming the image's source when it cannot be read. */
export async function localImageFingerprint(img: DesiredImage): Promise<string> {
  const s = img.source;
  try {
    return isDirectorySource(s) ? await fingerprintOfDirectoryImage(s.directory, s) : await fingerprintOfSplitImage(s.metadata, s.rootfs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const dir = isDirectorySource(s);
    throw new LxplanError('manifest.io', `image "${img.name}": cannot read ${err.path ?? (dir ? 'its directory' : 'its tarballs')}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, {
      location: img.keyAt?.[dir ? 'source.directory' : 'source.metadata'] ?? img.keyAt?.source ?? img.at,
      hint: dir ? 'paths in source: are relative to the manifest file; lxplan must be able to read every file in the directory'
        : 'paths in source: are relative to the manifest file; build the tarballs first (see the example\'s README)',
    });
  }
}

/**
 * Runs `upload` with the image's two tarballs: a split image's own, or a directory packed again
 * into a temporary folder (removed afterwards). A directory that no longer gives the fingerprint
 * the plan showed is an error: what would be uploaded is not what was planned.
 */
export async function withImageTarballs<T>(d: DesiredImage, expected: string, upload: (metadataPath: string, rootfsPath: string) => Promise<T>): Promise<T> {
  const s = d.source;
  if (!isDirectorySource(s)) return upload(s.metadata, s.rootfs);
  const built = await buildDirectoryImage(s.directory, s);
  try {
    if (built.fingerprint !== expected) {
      throw new Error(`image ${d.name}: directory ${s.directory} changed since the plan (it now packs to fingerprint ${built.fingerprint.slice(0, 12)}, the plan has ${expected.slice(0, 12)}): plan again`);
    }
    return await upload(built.metadataPath, built.rootfsPath);
  } finally {
    await built.cleanup();
  }
}
