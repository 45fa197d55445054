/** How the schema's findings about storage pools read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';
import { projectKeyOnGlobal } from '../project/schema-hints.js';

export const storagePoolSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('storage_pool', name),
  requiredHints: { driver: 'the storage driver of the pool: dir, btrfs, zfs, lvm, ceph or cephfs' },
  unknownKey: projectKeyOnGlobal('storage pools'),
};
