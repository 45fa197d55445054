/**
 * Request bodies of the writes lxplan makes that src/lxd/types.ts does not define
 * (LXD's shared/api `...Post` and `...Put` structs). Field names are LXD's own.
 */
import type { ConfigMap, DeviceMap, LxdNetworkAclRule } from './types.js';

/** POST /1.0/profiles. */
export interface LxdProfilesPost {
  name: string;
  description?: string;
  config?: ConfigMap;
  devices?: DeviceMap;
}

/** PUT /1.0/profiles/{name}: replaces all writable fields. */
export interface LxdProfilePut {
  description?: string;
  config: ConfigMap;
  devices: DeviceMap;
}

/** PUT /1.0/instances/{name}/state. */
export interface LxdInstanceStatePut {
  action: 'start' | 'stop' | 'restart' | 'freeze' | 'unfreeze';
  /** Seconds a clean stop may take; -1 (the default here, as in `lxc stop`) waits as long as it takes. */
  timeout?: number;
  force?: boolean;
  stateful?: boolean;
}

/** PUT /1.0/images/{fingerprint}. */
export interface LxdImagePut {
  auto_update: boolean;
  properties: Record<string, string>;
  public: boolean;
  expires_at?: string;
  profiles?: string[];
}

/** POST /1.0/projects. */
export interface LxdProjectsPost {
  name: string;
  description?: string;
  config?: ConfigMap;
}

/** PUT /1.0/projects/{name}. */
export interface LxdProjectPut {
  description?: string;
  config: ConfigMap;
}

/** POST /1.0/networks (rest-api.yaml: NetworksPost): name and type are fixed from then on. */
export interface LxdNetworksPost {
  name: string;
  type?: string;
  description?: string;
  config?: ConfigMap;
}

/** PUT /1.0/networks/{name} (NetworkPut): replaces config and description. */
export interface LxdNetworkPut {
  description?: string;
  config: ConfigMap;
}

/** POST /1.0/storage-pools (StoragePoolsPost): name and driver are fixed from then on. */
export interface LxdStoragePoolsPost {
  name: string;
  driver: string;
  description?: string;
  config?: ConfigMap;
}

/** PUT /1.0/storage-pools/{name} (StoragePoolPut): replaces config and description. */
export interface LxdStoragePoolPut {
  description?: string;
  config: ConfigMap;
}

/** POST /1.0/storage-pools/{pool}/volumes/custom (StorageVolumesPost): name and content_type are fixed from then on. */
export interface LxdStorageVolumesPost {
  name: string;
  content_type?: 'filesystem' | 'block';
  description?: string;
  config?: ConfigMap;
}

/** PUT /1.0/storage-pools/{pool}/volumes/custom/{name} (StorageVolumePut): replaces config and description. */
export interface LxdStorageVolumePut {
  description?: string;
  config: ConfigMap;
}

/** PUT /1.0/network-acls/{name} (NetworkACLPut): replaces description, both rule lists and config. */
export interface LxdNetworkAclPut {
  description?: string;
  ingress: LxdNetworkAclRule[];
  egress: LxdNetworkAclRule[];
  config: ConfigMap;
}

/** POST /1.0/network-acls (NetworkACLsPost). */
export interface LxdNetworkAclsPost extends Partial<LxdNetworkAclPut> {
  name: string;
}

/** What uploadSplitImage needs: two tarballs on disk. */
export interface SplitImageUpload {
  metadataPath: string;
  rootfsPath: string;
  public?: boolean;
  /** Extra image properties (merged over the ones in metadata.yaml). */
  properties?: Record<string, string>;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}
