/** The desired storage volume: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdStorageVolume } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

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

declare module '../spec.js' {
  interface LiveSnapshot {
    /** Custom volumes only, keyed "POOL/VOLUME". */
    storageVolumes: Record<string, LxdStorageVolume>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    storage_volume: DesiredStorageVolume;
  }
  interface Manifest {
    /** Keyed by "POOL/VOLUME". */
    storageVolumes: Record<string, DesiredStorageVolume>;
  }
}
