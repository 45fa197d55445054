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
}

declare module '../spec.js' {
  interface LiveSnapshot {
    storagePools: Record<string, LxdStoragePool>;
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
