/**
 * The one list of kinds lxplan manages, in display and dependency order: what others use comes
 * first (the apply order itself comes from each object's references, not from this list). Every
 * layer that works on "each kind" iterates this list; a kind is one folder under src/resources/
 * plus one line here.
 */
import { imageSchemaHints } from './image/schema-hints.js';
import { imageOps, imageSpec } from './image/spec.js';
import { instanceSchemaHints } from './instance/schema-hints.js';
import { instanceOps, instanceSpec } from './instance/spec.js';
import { networkSchemaHints } from './network/schema-hints.js';
import { networkOps, networkSpec } from './network/spec.js';
import { profileSchemaHints } from './profile/schema-hints.js';
import { profileOps, profileSpec } from './profile/spec.js';
import { projectSchemaHints } from './project/schema-hints.js';
import { projectOps, projectSpec } from './project/spec.js';
import { serverOps, serverSpec } from './server/spec.js';
import { snapshotOps, snapshotSpec } from './snapshot/spec.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import { storagePoolSchemaHints } from './storage-pool/schema-hints.js';
import { storagePoolOps, storagePoolSpec } from './storage-pool/spec.js';
import { storageVolumeSchemaHints } from './storage-volume/schema-hints.js';
import { storageVolumeOps, storageVolumeSpec } from './storage-volume/spec.js';
import type { Kind } from './types.js';
import type { SchemaHints } from '../manifest/schema-hints.js';

export interface KindEntry {
  kind: Kind;
  spec: ResourceSpec<any, any>;
  ops: ResourceOps<any>;
  /** What the kind adds to the schema's findings about its objects (src/manifest/schema.ts); its schema fragment is <kind>/schema.json. */
  schema?: SchemaHints;
}

export const registry: readonly KindEntry[] = [
  {
    kind: 'project',
    spec: projectSpec,
    ops: projectOps,
    schema: projectSchemaHints,
  },
  {
    kind: 'storage_pool',
    spec: storagePoolSpec,
    ops: storagePoolOps,
    schema: storagePoolSchemaHints,
  },
  {
    kind: 'network',
    spec: networkSpec,
    ops: networkOps,
    schema: networkSchemaHints,
  },
  {
    kind: 'storage_volume',
    spec: storageVolumeSpec,
    ops: storageVolumeOps,
    schema: storageVolumeSchemaHints,
  },
  {
    kind: 'image',
    spec: imageSpec,
    ops: imageOps,
    schema: imageSchemaHints,
  },
  {
    kind: 'profile',
    spec: profileSpec,
    ops: profileOps,
    schema: profileSchemaHints,
  },
  {
    kind: 'instance',
    spec: instanceSpec,
    ops: instanceOps,
    schema: instanceSchemaHints,
  },
  {
    kind: 'snapshot',
    spec: snapshotSpec,
    ops: snapshotOps,
  },
  {
    kind: 'server',
    spec: serverSpec,
    ops: serverOps,
  },
];

/** Every kind, in the registry's order. */
export const KINDS: readonly Kind[] = registry.map((e) => e.kind);
