/**
 * The one list of kinds lxplan manages, in display and dependency order: what others use comes
 * first (the apply order itself comes from each object's references, not from this list). Every
 * layer that works on "each kind" iterates this list; a kind is one folder under src/resources/
 * plus one line here.
 */
import { imageOps, imageSpec } from './image/spec.js';
import { instanceOps, instanceSpec } from './instance/spec.js';
import { networkOps, networkSpec } from './network/spec.js';
import { networkAclOps, networkAclSpec } from './network-acl/spec.js';
import { profileOps, profileSpec } from './profile/spec.js';
import { projectOps, projectSpec } from './project/spec.js';
import { serverOps, serverSpec } from './server/spec.js';
import { snapshotOps, snapshotSpec } from './snapshot/spec.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolOps, storagePoolSpec } from './storage-pool/spec.js';
import { storageVolumeOps, storageVolumeSpec } from './storage-volume/spec.js';
import type { Kind } from './types.js';

export interface KindEntry {
  kind: Kind;
  spec: ResourceSpec<any, any>;
  ops: ResourceOps<any>;
}

export const registry: readonly KindEntry[] = [
  { kind: 'project', spec: projectSpec, ops: projectOps },
  { kind: 'storage_pool', spec: storagePoolSpec, ops: storagePoolOps },
  { kind: 'network_acl', spec: networkAclSpec, ops: networkAclOps },
  { kind: 'network', spec: networkSpec, ops: networkOps },
  { kind: 'storage_volume', spec: storageVolumeSpec, ops: storageVolumeOps },
  { kind: 'image', spec: imageSpec, ops: imageOps },
  { kind: 'profile', spec: profileSpec, ops: profileOps },
  { kind: 'instance', spec: instanceSpec, ops: instanceOps },
  { kind: 'snapshot', spec: snapshotSpec, ops: snapshotOps },
  { kind: 'server', spec: serverSpec, ops: serverOps },
];

/** Every kind, in the registry's order. */
export const KINDS: readonly Kind[] = registry.map((e) => e.kind);
