/**
 * The desired model: what the manifests ask for, after loading, validation and
 * normalisation (src/manifest produces it; the planner consumes it). Every value LXD
 * stores as a string is a string here ("1", "true", "512MB"), exactly as the user wrote
 * it, so plans can show the user's own spelling; comparison uses canonical forms
 * (see src/resources/units.ts and the per-kind specs).
 */
import type { SourceLocation } from '../errors.js';
import type { ConfigMap, DeviceMap } from '../lxd/types.js';

/**
 * The kinds lxplan manages. Each kind names itself from its own folder by declaration merging
 * (`declare module '../types.js' { interface KindNames { instance: true } }` in <kind>/spec.ts);
 * the ordered list of kinds is src/resources/registry.ts (KINDS there).
 */
export interface KindNames {}
export type Kind = keyof KindNames & string;

/** "instance.web-1", "profile.small", "image.busybox", "storage_volume.fast/data". */
export type Address = string;
export function addressOf(kind: Kind, name: string): Address {
  return `${kind}.${name}`;
}
export function parseAddress(a: Address): { kind: Kind; name: string } {
  const i = a.indexOf('.');
  return { kind: a.slice(0, i) as Kind, name: a.slice(i + 1) };
}

interface DesiredBase {
  name: string;
  /** Where the object is defined: the position of its name key. */
  at: SourceLocation;
  /** The object's previous name (`renamed_from`): renamed, not replaced. */
  renamedFrom?: string;
  /** Config keys whose values are secrets (listed in `sensitive:` or written as ${env:NAME}). */
  sensitive?: string[];
  /** Positions of individual keys, by dotted path inside the object ("limits.memory", "config.boot.autostart", "devices.root", "image", "profiles.1"). */
  keyAt?: Record<string, SourceLocation>;
  /** The LXD project the object lives in (`project:` on an instance or an image; see object-project.ts); absent: the directory's scope. */
  project?: string;
}

/** A local split image: its two tarballs, absolute paths (resolved against the manifest's folder). */
export interface SplitImageSource { metadata: string; rootfs: string }
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

/** An image server named in `remotes:` (not an LXD object lxplan manages: a place images come from). */
export interface DesiredRemote {
  name: string;
  at: SourceLocation;
  url: string;
  protocol: 'lxd' | 'simplestreams';
  /** Absolute path of the server's certificate file, when given. */
  certificatePath?: string;
  keyAt?: Record<string, SourceLocation>;
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

export interface DesiredProfile extends DesiredBase {
  kind: 'profile';
  description: string;
  /** Full config, `limits:` already folded in as `limits.*` keys. */
  config: ConfigMap;
  devices: DeviceMap;
}

export type InstanceState = 'running' | 'stopped' | 'frozen';

export interface DesiredInstance extends DesiredBase {
  kind: 'instance';
  /** Image alias (a manifest image's name or an alias that exists in LXD) or a fingerprint. */
  image: string;
  /** In order; default ["default"]. */
  profiles: string[];
  description: string;
  /** Full config, `limits:` already folded in as `limits.*` keys. */
  config: ConfigMap;
  devices: DeviceMap;
  state: InstanceState;
  type: 'container' | 'virtual-machine';
  /** `protect: true`: security.protection.delete is set, and no plan may destroy the instance. */
  protect: boolean;
  /** What lxapply does when a change needs a restart: `manual` leaves it pending, `auto` restarts. */
  restart: 'manual' | 'auto';
  /** Named snapshots to take once and keep (`snapshots:`); the loader turns them into `Manifest.snapshots`. */
  snapshots?: string[];
  /** `source:`: made as a copy of another instance or of one of its snapshots, instead of from an image (`image` is then ""). */
  copyOf?: CopySource;
  /** `files:`: files pushed into the instance, by absolute path. */
  files?: Record<string, DesiredFile>;
  /** `ephemeral: true`: LXD deletes the instance when it stops. Absent when not written (false). */
  ephemeral?: boolean;
  /** `architecture:` (creation-time; compared only when declared). */
  architecture?: string;
}

/** A file to push into an instance (instance-files.ts). */
export interface DesiredFile {
  /** The bytes, base64 (so plans and saved plans stay JSON); read from `source:` at load time. */
  content: string;
  /** "sha256:<hex>" of the bytes. */
  sha256: string;
  /** Four octal digits, "0644" by default. */
  mode: string;
  uid: number;
  gid: number;
  /** The file `source:` it was read from (absolute), when not given inline. */
  source?: string;
  /** A secret: plans show "(sensitive)", the state keeps a hash. */
  sensitive?: boolean;
}

/** An instance to copy (`source: {instance, snapshot}`); the snapshot is optional. */
export interface CopySource {
  instance: string;
  snapshot?: string;
}

/** Network types LXD 5.0 manages (rest-api.yaml NetworksPost `type`; doc/networks.md). */
export type NetworkType = 'bridge' | 'macvlan' | 'sriov' | 'ovn' | 'physical';

export interface DesiredNetwork extends DesiredBase {
  kind: 'network';
  /** Fixed at creation (NetworksPost only): changing it replaces the network. Default bridge. */
  type: NetworkType;
  description: string;
  config: ConfigMap;
}

/** Storage drivers lxplan accepts (LXD 5.0's, less the object-storage one). */
export type StorageDriver = 'dir' | 'btrfs' | 'zfs' | 'lvm' | 'ceph' | 'cephfs';

export interface DesiredStoragePool extends DesiredBase {
  kind: 'storage_pool';
  /** Fixed at creation (StoragePoolsPost only): changing it replaces the pool. */
  driver: StorageDriver;
  description: string;
  config: ConfigMap;
}

/**
 * A custom storage volume. Its name is "POOL/VOLUME": LXD names volumes per pool, so the pool is
 * part of what identifies it (the manifest key, the address "storage_volume.fast/data").
 */
export interface DesiredStorageVolume extends DesiredBase {
  kind: 'storage_volume';
  pool: string;
  /** The volume's own name inside its pool. */
  volume: string;
  /** Fixed at creation (StorageVolumesPost only): changing it replaces the volume. Default filesystem. */
  contentType: 'filesystem' | 'block';
  description: string;
  /** Full config, `size:` already folded in as `size`. */
  config: ConfigMap;
}

/** "fast/data" -> { pool: "fast", volume: "data" }. */
export function splitVolumeName(name: string): { pool: string; volume: string } {
  const i = name.indexOf('/');
  return { pool: name.slice(0, i), volume: name.slice(i + 1) };
}

/**
 * A named instance snapshot, taken once and kept: its name is "INSTANCE/SNAPSHOT" (the address
 * "snapshot.web-1/before-upgrade"). Its content is fixed when taken, so it has no fields to
 * change: it is created, kept, or deleted.
 */
export interface DesiredSnapshot extends DesiredBase {
  kind: 'snapshot';
  instance: string;
  /** The snapshot's own name on its instance. */
  snapshot: string;
  /** Always empty: a snapshot's config is its instance's at the time it was taken. (Present so code redacting desired objects' config handles every kind but images alike.) */
  config: ConfigMap;
}

/** "web-1/clean" -> { instance: "web-1", snapshot: "clean" }. */
export function splitSnapshotName(name: string): { instance: string; snapshot: string } {
  const i = name.indexOf('/');
  return { instance: name.slice(0, i), snapshot: name.slice(i + 1) };
}

/**
 * The LXD server's own config (`server: {config: ...}`): one object, named "config" (the address
 * "server.config"). Only the keys declared here (and those lxplan set before: the state records
 * them) are lxplan's; every other server key is left alone.
 */
export interface DesiredServer extends DesiredBase {
  kind: 'server';
  name: 'config';
  config: ConfigMap;
  /** Keys lxplan set before (state) that the manifest no longer declares: unset by the apply. Filled in by the planner. */
  unset?: string[];
}

export type DesiredObject = DesiredProject | DesiredServer | DesiredSnapshot | DesiredImage | DesiredProfile | DesiredInstance | DesiredNetwork | DesiredStoragePool | DesiredStorageVolume;

/**
 * An LXD project (`projects:`): a global object, not inside a project. Every config key is
 * written in place, but LXD changes features.* only while the project is empty (see project.ts).
 */
export interface DesiredProject extends DesiredBase {
  kind: 'project';
  description: string;
  config: ConfigMap;
}

/** One loaded configuration (a directory of manifests). Maps are keyed by object name. */
export interface Manifest {
  /** The directory the manifests were read from (absolute). */
  dir: string;
  /** The files that were read, relative to the working directory. */
  files: string[];
  images: Record<string, DesiredImage>;
  profiles: Record<string, DesiredProfile>;
  instances: Record<string, DesiredInstance>;
  networks: Record<string, DesiredNetwork>;
  storagePools: Record<string, DesiredStoragePool>;
  /** Keyed by "POOL/VOLUME". */
  storageVolumes: Record<string, DesiredStorageVolume>;
  /** Keyed by "INSTANCE/SNAPSHOT", from each instance's `snapshots:` (absent: none). */
  snapshots?: Record<string, DesiredSnapshot>;
  /** `server: {config: ...}` (at most one over all files; absent: none). */
  server?: DesiredServer;
  /** Image servers (`remotes:`), by name (absent: none). */
  remotes?: Record<string, DesiredRemote>;
  /** Projects declared under `projects:` (absent: none). */
  projects?: Record<string, DesiredProject>;
  /**
   * The LXD project the directory's objects live in: the top-level `project:` key, or (after
   * the session resolves it) --project / LXPLAN_PROJECT. Absent: "default".
   */
  project?: string;
  /** Where the top-level `project:` key is (absent when no file says it). */
  projectAt?: SourceLocation;
}
