/**
 * Checks of images' source: once the manifests are merged: the tarballs and directories named
 * must exist (reported with the position of the path), and an image copied from a remote gets
 * that remote's URL, protocol and certificate from `remotes:` (src/manifest/remotes.ts reads them).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../../errors.js';
import { displayPath } from '../../manifest/files.js';
import { didYouMean } from '../../manifest/hints.js';
import type { CheckContext } from '../../manifest/kind.js';
import type { Manifest } from '../types.js';
import { isDirectorySource, isRemoteSource, isSplitSource } from './types.js';

/** Each image copied from a remote linked to it: the image's source gets the server's URL, protocol and certificate. */
export function linkRemoteSources(m: Manifest, ctx: CheckContext): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const img of Object.values(m.images)) {
    const s = img.source;
    if (!isRemoteSource(s)) continue;
    const r = ctx.remotes[s.remote];
    if (!r) {
      errors.push(
        new LxplanError('manifest.reference', `image "${img.name}" is copied from remote "${s.remote}", which is not defined under remotes:`, {
          location: img.keyAt?.['source.remote'] ?? img.at,
          hint: didYouMean(s.remote, Object.keys(ctx.remotes)) ?? 'add it: remotes: {NAME: {url: https://HOST:8443, protocol: lxd, certificate: FILE}}',
        }),
      );
      continue;
    }
    s.server = r.url;
    s.protocol = r.protocol;
    s.certificate = ctx.remoteCertificates.get(r.name) ?? '';
  }
  return errors;
}

/** Image tarballs must exist: reported here with the position of the path in the manifest (unless ctx.checkFiles is false). */
export async function checkImageFiles(m: Manifest, ctx: CheckContext): Promise<LxplanError[]> {
  const errors: LxplanError[] = [];
  if (!ctx.checkFiles) return errors;
  for (const img of Object.values(m.images)) {
    if (isDirectorySource(img.source)) {
      const p = img.source.directory;
      const st = p ? await stat(p).catch(() => undefined) : undefined;
      if (!p || st?.isDirectory()) continue;
      errors.push(
        new LxplanError('manifest.io', `image "${img.name}": directory ${displayPath(p)} ${st ? 'is not a directory' : 'does not exist'}`, {
          location: img.keyAt?.['source.directory'] ?? img.at,
          hint: `paths in source: are relative to the folder of the manifest file (${displayPath(path.dirname(path.resolve(img.at.file)))})`,
        }),
      );
      continue;
    }
    const split = img.source;
    if (!isSplitSource(split)) continue;
    for (const part of ['metadata', 'rootfs'] as const) {
      const p = split[part];
      if (!p) continue;
      const st = await stat(p).catch(() => undefined);
      if (st?.isFile()) continue;
      errors.push(
        new LxplanError('manifest.io', `image "${img.name}": ${part} file ${displayPath(p)} ${st ? 'is not a file' : 'does not exist'}`, {
          location: img.keyAt?.[`source.${part}`] ?? img.at,
          hint: `paths in source: are relative to the folder of the manifest file (${displayPath(path.dirname(path.resolve(img.at.file)))}); if a script builds the tarballs, run it first`,
        }),
      );
    }
  }
  return errors;
}
