/** The desired image: what the manifests ask for, after normalisation. */
import type { LxdImage } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/** A local split image: its two tarballs, absolute paths (resolved against the manifest's folder). */
export interface SplitImageSource {
  metadata: string;
  rootfs: string;
}
/** A local root file system directory lxplan packs itself (image-directory.ts), with the metadata.yaml it writes. */
export interface DirectoryImageSource {
  /** Absolute path of the root file system directory. */
  directory: string;
  /** LXD's spelling (x86_64, aarch64); default the host's. */
  architecture: string;
  /** Unix seconds; also every tarball entry's mtime. */
  creationDate: number;
  /** metadata.yaml properties (os, release, description ...). */
  properties: Record<string, string>;
}
/**
 * An image copied from another server (`source: {remote: lab, alias: busybox}`). The loader fills
 * in the server's address, protocol and certificate from `remotes:`, so the desired image carries
 * everything an apply needs (a saved plan too).
 */
export interface RemoteImageSource {
  /** The name in `remotes:`. */
  remote: string;
  alias?: string;
  fingerprint?: string;
  /** From `remotes:`: https URL, protocol, and the server's certificate (PEM text; "" when none is pinned). */
  server: string;
  protocol: 'lxd' | 'simplestreams';
  certificate: string;
}
/**
 * An image published from an instance, or from one of its snapshots (`source: {instance: base,
 * snapshot: clean}`). Its fingerprint is known only once LXD made it: it is published once and
 * kept; a changed source is a replace.
 */
export interface PublishedImageSource {
  instance: string;
  snapshot?: string;
}
export type ImageSource = SplitImageSource | DirectoryImageSource | RemoteImageSource | PublishedImageSource;
export function isPublishedSource(s: ImageSource): s is PublishedImageSource {
  return 'instance' in s;
}
export function isDirectorySource(s: ImageSource): s is DirectoryImageSource {
  return 'directory' in s;
}
export function isRemoteSource(s: ImageSource): s is RemoteImageSource {
  return 'remote' in s;
}
export function isSplitSource(s: ImageSource): s is SplitImageSource {
  return 'metadata' in s;
}

export interface DesiredImage extends DesiredBase {
  kind: 'image';
  source: ImageSource;
  public: boolean;
  /** Aliases besides the object's name (`aliases:`), pointing at the same image. */
  aliases?: string[];
  /** The image's properties (`properties:`), set with a PUT after import; absent: not managed. */
  properties?: Record<string, string>;
  /** `auto_update:`; absent: not managed. */
  autoUpdate?: boolean;
  /** Filled in before planning by hashing the tarballs (sha256 of metadata bytes then rootfs bytes). */
  fingerprint?: string;
}

/** Live images are addressed by alias, as in the manifest. */
export interface LiveImage {
  alias: string;
  image: LxdImage;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    images: LxdImage[];
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    image: DesiredImage;
  }
  interface Manifest {
    images: Record<string, DesiredImage>;
  }
}
