/** How the schema's findings about custom volumes read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';
import { projectKeyNotSupported } from '../project/schema-hints.js';

export const storageVolumeSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('storage_volume', name),
  unknownKey: projectKeyNotSupported,
};
