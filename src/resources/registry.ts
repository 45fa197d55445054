/**
 * The one list of kinds lxplan manages, in display and dependency order: what others use comes
 * first (the apply order itself comes from each object's references, not from this list). Every
 * layer that works on "each kind" iterates this list; a kind is one folder under src/resources/
 * plus one line here.
 */
import { imageLive } from './image/live.js';
import { imageOps } from './image/ops.js';
import { imageSpec } from './image/spec.js';
import { instanceExport } from './instance/export.js';
import { instanceLive } from './instance/live.js';
import { instanceOps } from './instance/ops.js';
import { instanceSpec } from './instance/spec.js';
import { networkExport } from './network/export.js';
import { networkLive } from './network/live.js';
import { networkOps } from './network/ops.js';
import { networkSpec } from './network/spec.js';
import { networkAclExport } from './network-acl/export.js';
import { networkAclLive } from './network-acl/live.js';
import { networkAclManifest } from './network-acl/manifest.js';
import { networkAclSchemaHints } from './network-acl/schema-hints.js';
import { networkAclOps } from './network-acl/ops.js';
import { networkAclSpec } from './network-acl/spec.js';
import { profileExport } from './profile/export.js';
import { profileLive } from './profile/live.js';
import { profileOps } from './profile/ops.js';
import { profileSpec } from './profile/spec.js';
import { projectLive } from './project/live.js';
import { projectOps } from './project/ops.js';
import { projectSpec } from './project/spec.js';
import { serverLive } from './server/live.js';
import { serverOps } from './server/ops.js';
import { serverSpec } from './server/spec.js';
import { snapshotExport } from './snapshot/export.js';
import { snapshotLive } from './snapshot/live.js';
import { snapshotOps } from './snapshot/ops.js';
import { snapshotSpec } from './snapshot/spec.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolExport } from './storage-pool/export.js';
import { storagePoolLive } from './storage-pool/live.js';
import { storagePoolOps } from './storage-pool/ops.js';
import { storagePoolSpec } from './storage-pool/spec.js';
import { storageVolumeExport } from './storage-volume/export.js';
import { storageVolumeLive } from './storage-volume/live.js';
import { storageVolumeOps } from './storage-volume/ops.js';
import { storageVolumeSpec } from './storage-volume/spec.js';
import type { DesiredObject, Kind } from './types.js';
import type { KindExport } from './export-kind.js';
import type { LiveKind } from './live-kind.js';
import { bindRegistry } from './kind-entries.js';
import { imageSchemaHints } from './image/schema-hints.js';
import { instanceSchemaHints } from './instance/schema-hints.js';
import { networkSchemaHints } from './network/schema-hints.js';
import { profileSchemaHints } from './profile/schema-hints.js';
import { projectSchemaHints } from './project/schema-hints.js';
import { storagePoolSchemaHints } from './storage-pool/schema-hints.js';
import { storageVolumeSchemaHints } from './storage-volume/schema-hints.js';
import type { SchemaHints } from '../manifest/schema-hints.js';
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
  spec: ResourceSpec<DesiredObject, unknown>;
  ops: ResourceOps<DesiredObject>;
  /** How it is read from LXD and where it lives (<kind>/live.ts). */
  live: LiveKind;
  /** How it is written by lxplan export and adopted by import (<kind>/export.ts); absent: not exported. */
  export?: KindExport;
  /** What the kind adds to the schema's findings about its objects (src/manifest/schema.ts); its schema fragment is <kind>/schema.json. */
  schema?: SchemaHints;
  /** How the kind's section of the manifests is read (src/manifest/kind.ts). */
  manifest: KindManifest<DesiredObject>;
}

export const registry: readonly KindEntry[] = [
  {
    kind: 'project',
    spec: projectSpec,
    ops: projectOps,
    live: projectLive,
    schema: projectSchemaHints,
    manifest: projectManifest,
  },
  {
    kind: 'storage_pool',
    spec: storagePoolSpec,
    ops: storagePoolOps,
    live: storagePoolLive,
    schema: storagePoolSchemaHints,
    manifest: storagePoolManifest,
    export: storagePoolExport,
  },
  {
    kind: 'network_acl',
    spec: networkAclSpec,
    ops: networkAclOps,
    live: networkAclLive,
    manifest: networkAclManifest,
    schema: networkAclSchemaHints,
    export: networkAclExport,
  },
  {
    kind: 'network',
    spec: networkSpec,
    ops: networkOps,
    live: networkLive,
    manifest: networkManifest,
    schema: networkSchemaHints,
    export: networkExport,
  },
  {
    kind: 'storage_volume',
    spec: storageVolumeSpec,
    ops: storageVolumeOps,
    live: storageVolumeLive,
    schema: storageVolumeSchemaHints,
    manifest: storageVolumeManifest,
    export: storageVolumeExport,
  },
  {
    kind: 'image',
    spec: imageSpec,
    ops: imageOps,
    live: imageLive,
    schema: imageSchemaHints,
    manifest: imageManifest,
  },
  {
    kind: 'profile',
    spec: profileSpec,
    ops: profileOps,
    live: profileLive,
    schema: profileSchemaHints,
    manifest: profileManifest,
    export: profileExport,
  },
  {
    kind: 'instance',
    spec: instanceSpec,
    ops: instanceOps,
    live: instanceLive,
    schema: instanceSchemaHints,
    manifest: instanceManifest,
    export: instanceExport,
  },
  {
    kind: 'snapshot',
    spec: snapshotSpec,
    ops: snapshotOps,
    live: snapshotLive,
    manifest: snapshotManifest,
    export: snapshotExport,
  },
  {
    kind: 'server',
    spec: serverSpec,
    ops: serverOps,
    live: serverLive,
    manifest: serverManifest,
  },
];

bindRegistry(registry);

/** Every kind, in the registry's order. */
export const KINDS: readonly Kind[] = registry.map((e) => e.kind);
