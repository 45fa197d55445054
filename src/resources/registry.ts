/**
 * The one list of kinds lxplan manages, in display and dependency order: what others use comes
 * first (the apply order itself comes from each object's references, not from this list). Every
 * layer that works on "each kind" iterates this list; a kind is one folder under src/resources/
 * plus one line here.
 */
import { imageOps, imageSpec } from './image/spec.js';
import { instanceOps, instanceSpec } from './instance/spec.js';
import { networkOps, networkSpec } from './network/spec.js';
import { profileOps, profileSpec } from './profile/spec.js';
import { projectOps, projectSpec } from './project/spec.js';
import { serverOps, serverSpec } from './server/spec.js';
import { snapshotOps, snapshotSpec } from './snapshot/spec.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolOps, storagePoolSpec } from './storage-pool/spec.js';
import { storageVolumeOps, storageVolumeSpec } from './storage-volume/spec.js';
import type { Kind } from './types.js';
import type { KindManifest } from '../manifest/kind.js';
import { imageManifest } from './image/manifest.js';
import { instanceManifest } from './instance/manifest.js';
import { networkManifest } from './network/manifest.js';
import { profileManifest } from './profile/manifest.js';
import { projectManifest } from './project/manifest.js';
import { serverManifest } from './server/manifest.js';
import { snapshotManifest } from './snapshot/manifest.js';
import { storagePoolManifest } from './storage-pool/manifest.js';
import { storageVolumeManifest } from './storage-volume/manifest.js';

export interface KindEntry {
  kind: Kind;
  spec: ResourceSpec<any, any>;
  ops: ResourceOps<any>;
  /** How the kind's section of the manifests is read (src/manifest/kind.ts). */
  manifest: KindManifest<any>;
}

export const registry: readonly KindEntry[] = [
  {
    kind: 'project',
    spec: projectSpec,
    ops: projectOps,
    manifest: projectManifest,
  },
  {
    kind: 'storage_pool',
    spec: storagePoolSpec,
    ops: storagePoolOps,
    manifest: storagePoolManifest,
  },
  {
    kind: 'network',
    spec: networkSpec,
    ops: networkOps,
    manifest: networkManifest,
  },
  {
    kind: 'storage_volume',
    spec: storageVolumeSpec,
    ops: storageVolumeOps,
    manifest: storageVolumeManifest,
  },
  {
    kind: 'image',
    spec: imageSpec,
    ops: imageOps,
    manifest: imageManifest,
  },
  {
    kind: 'profile',
    spec: profileSpec,
    ops: profileOps,
    manifest: profileManifest,
  },
  {
    kind: 'instance',
    spec: instanceSpec,
    ops: instanceOps,
    manifest: instanceManifest,
  },
  {
    kind: 'snapshot',
    spec: snapshotSpec,
    ops: snapshotOps,
    manifest: snapshotManifest,
  },
  {
    kind: 'server',
    spec: serverSpec,
    ops: serverOps,
    manifest: serverManifest,
  },
];

/** Every kind, in the registry's order. */
export const KINDS: readonly Kind[] = registry.map((e) => e.kind);
