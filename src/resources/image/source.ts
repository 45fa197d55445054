/**
 * Where a local image's bytes come from: a split image's two tarballs, or a root file system
 * directory lxplan packs (image-directory.ts). Both give the fingerprint LXD will assign before
 * anything is uploaded.
 */
import { LxplanError } from '../../errors.js';
import { RemoteError, resolveRemoteImage, type RemoteServer } from '../../lxd/remote.js';
import { formatLocation } from '../../manifest/parse.js';
import { buildDirectoryImage, fingerprintOfDirectoryImage } from './directory.js';
import { fingerprintOfSplitImage } from './files.js';
import { isDirectorySource, isPublishedSource, isRemoteSource, type DesiredImage, type Manifest } from '../types.js';

/** The fingerprint of a local image; a manifest error naming the image's source when it cannot be read. */
export async function localImageFingerprint(img: DesiredImage): Promise<string | undefined> {
  const s = img.source;
  if (isRemoteSource(s) || isPublishedSource(s)) return undefined;
  try {
    return isDirectorySource(s) ? await fingerprintOfDirectoryImage(s.directory, s) : await fingerprintOfSplitImage(s.metadata, s.rootfs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const dir = isDirectorySource(s);
    throw new LxplanError(
      'manifest.io',
      `image "${img.name}": cannot read ${err.path ?? (dir ? 'its directory' : 'its tarballs')}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      {
        location: img.keyAt?.[dir ? 'source.directory' : 'source.metadata'] ?? img.keyAt?.source ?? img.at,
        hint: dir
          ? 'paths in source: are relative to the manifest file; lxplan must be able to read every file in the directory'
          : "paths in source: are relative to the manifest file; build the tarballs first (see the example's README)",
      },
    );
  }
}

/**
 * Runs `upload` with the image's two tarballs: a split image's own, or a directory packed again
 * into a temporary folder (removed afterwards). A directory that no longer gives the fingerprint
 * the plan showed is an error: what would be uploaded is not what was planned.
 */
export async function withImageTarballs<T>(d: DesiredImage, expected: string, upload: (metadataPath: string, rootfsPath: string) => Promise<T>): Promise<T> {
  const s = d.source;
  if (isRemoteSource(s) || isPublishedSource(s))
    throw new Error(`image ${d.name}: ${isRemoteSource(s) ? `copied from remote "${s.remote}"` : `published from instance ${s.instance}`}, not uploaded`);
  if (!isDirectorySource(s)) return upload(s.metadata, s.rootfs);
  const built = await buildDirectoryImage(s.directory, s);
  try {
    if (built.fingerprint !== expected) {
      throw new Error(
        `image ${d.name}: directory ${s.directory} changed since the plan (it now packs to fingerprint ${built.fingerprint.slice(0, 12)}, the plan has ${expected.slice(0, 12)}): plan again`,
      );
    }
    return await upload(built.metadataPath, built.rootfsPath);
  } finally {
    await built.cleanup();
  }
}

/**
 * The fingerprint each image copied from an LXD remote has there now: the alias resolved over
 * HTTPS (src/lxd/remote.ts), so the plan shows it and knows whether a copy is needed. Images
 * from simplestreams servers keep no fingerprint (lxplan does not read their indexes).
 * A remote that cannot be read is an error naming the remote and the image's `source:`.
 */
export async function resolveRemoteFingerprints(m: Manifest): Promise<void> {
  await Promise.all(
    Object.values(m.images).map(async (img) => {
      const s = img.source;
      if (!isRemoteSource(s)) return;
      const server: RemoteServer = { name: s.remote, url: s.server, protocol: s.protocol, ...(s.certificate ? { certificate: s.certificate } : {}) };
      try {
        img.fingerprint = await resolveRemoteImage(server, { alias: s.alias, fingerprint: s.fingerprint });
      } catch (e) {
        if (!(e instanceof RemoteError)) throw e;
        const remote = m.remotes?.[s.remote];
        throw new LxplanError(e.reason === 'not-found' ? 'manifest.reference' : 'lxd.unreachable', `image "${img.name}": ${e.message}`, {
          location: img.keyAt?.[s.alias !== undefined ? 'source.alias' : 'source.fingerprint'] ?? img.keyAt?.['source.remote'] ?? img.at,
          hint:
            e.reason === 'not-found'
              ? `only public images can be copied without a client certificate: check the alias on that server (lxc image alias list)`
              : e.reason === 'certificate'
                ? `put that server's own certificate in remote "${s.remote}"'s certificate: file${remote ? ` (${formatLocation(remote.keyAt?.certificate ?? remote.at)})` : ''}`
                : `check url: of remote "${s.remote}"${remote ? ` (${formatLocation(remote.keyAt?.url ?? remote.at)})` : ''} and that the server listens there (core.https_address)`,
          cause: e,
        });
      }
    }),
  );
}
