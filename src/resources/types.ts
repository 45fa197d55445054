/**
 * The desired model: what the manifests ask for, after loading, validation and
 * normalisation (src/manifest produces it; the planner consumes it). Every value LXD
 * stores as a string is a string here ("1", "true", "512MB"), exactly as the user wrote
 * it, so plans can show the user's own spelling; comparison uses canonical forms
 * (see src/resources/units.ts and the per-kind specs).
 */
import type { SourceLocation } from '../errors.js';
import type { ConfigMap, DeviceMap } from '../lxd/types.js';

export type Kind = 'project' | 'storage_pool' | 'network' | 'storage_volume' | 'image' | 'profile' | 'instance' | 'snapshot';
/**
 * Every kind, in display order: what others use comes first. (Dependency order comes from each
 * kind's references, not from this list.)
 */
export const KINDS: readonly Kind[] = ['project', 'storage_pool', 'network', 'storage_volume', 'image', 'profile', 'instance', 'snapshot'];

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
}

export interface DesiredImage extends DesiredBase {
  kind: 'image';
  /** A local split image; absolute paths (resolved against the manifest's folder). */
  source: { metadata: string; rootfs: string };
  public: boolean;
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

export type DesiredObject = DesiredProject | DesiredSnapshot | DesiredImage | DesiredProfile | DesiredInstance | DesiredNetwork | DesiredStoragePool | DesiredStorageVolume;

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
