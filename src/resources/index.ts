/** The kinds lxplan manages, in dependency order for display: what others use comes first. */
import { imageOps, imageSpec } from './image.js';
import { instanceOps, instanceSpec } from './instance.js';
import { networkOps, networkSpec } from './network.js';
import { profileOps, profileSpec } from './profile.js';
import { projectOps, projectSpec } from './project.js';
import { serverOps, serverSpec } from './server.js';
import { snapshotOps, snapshotSpec } from './snapshot.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolOps, storagePoolSpec } from './storage-pool.js';
import { storageVolumeOps, storageVolumeSpec } from './storage-volume.js';
import type { Kind } from './types.js';

export const specs: Record<Kind, ResourceSpec<any, any>> = {
  project: projectSpec,
  storage_pool: storagePoolSpec,
  network: networkSpec,
  storage_volume: storageVolumeSpec,
  image: imageSpec,
  profile: profileSpec,
  instance: instanceSpec,
  snapshot: snapshotSpec,
  server: serverSpec,
};

export const ops: Record<Kind, ResourceOps<any>> = {
  project: projectOps,
  storage_pool: storagePoolOps,
  network: networkOps,
  storage_volume: storageVolumeOps,
  image: imageOps,
  profile: profileOps,
  instance: instanceOps,
  snapshot: snapshotOps,
  server: serverOps,
};

export type { Impact } from './impact.js';
export { worstImpact } from './impact.js';
export * from './spec.js';
export * from './types.js';
