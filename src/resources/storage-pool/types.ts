/** The desired storage pool: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdStoragePool } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/** Storage drivers lxplan accepts (LXD 5.0's, less the object-storage one). */
export type StorageDriver = 'dir' | 'btrfs' | 'zfs' | 'lvm' | 'ceph' | 'cephfs';

export interface DesiredStoragePool extends DesiredBase {
  kind: 'storage_pool';
  /** Fixed at creation (StoragePoolsPost only): changing it replaces the pool. */
  driver: StorageDriver;
  description: string;
  config: ConfigMap;
  /** On a cluster: each member's own keys (source, size, ...: members.ts), by member name. */
  members?: Record<string, ConfigMap>;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    storagePools: Record<string, LxdStoragePool>;
    /** On a cluster: each pool's member-specific keys, by pool, then member (members.ts). */
    storagePoolMembers?: Record<string, Record<string, ConfigMap>>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    storage_pool: DesiredStoragePool;
  }
  interface Manifest {
    storagePools: Record<string, DesiredStoragePool>;
  }
}
