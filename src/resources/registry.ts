/**
 * The one list of kinds lxplan manages, in display and dependency order: what others use comes
 * first (the apply order itself comes from each object's references, not from this list). Every
 * layer that works on "each kind" iterates this list; a kind is one folder under src/resources/
 * plus one line here.
 */
import { imageOps } from './image/ops.js';
import { imageSpec } from './image/spec.js';
import { instanceOps } from './instance/ops.js';
import { instanceSpec } from './instance/spec.js';
import { networkOps } from './network/ops.js';
import { networkSpec } from './network/spec.js';
import { networkAclOps } from './network-acl/ops.js';
import { networkAclSpec } from './network-acl/spec.js';
import { profileOps } from './profile/ops.js';
import { profileSpec } from './profile/spec.js';
import { projectOps } from './project/ops.js';
import { projectSpec } from './project/spec.js';
import { serverOps } from './server/ops.js';
import { serverSpec } from './server/spec.js';
import { snapshotOps } from './snapshot/ops.js';
import { snapshotSpec } from './snapshot/spec.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolOps } from './storage-pool/ops.js';
import { storagePoolSpec } from './storage-pool/spec.js';
import { storageVolumeOps } from './storage-volume/ops.js';
import { storageVolumeSpec } from './storage-volume/spec.js';
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
