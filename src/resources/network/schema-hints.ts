/** How the schema's findings about networks read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';
import { projectKeyNotSupported } from '../project/schema-hints.js';

export const networkSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('network', name),
  unknownKey: projectKeyNotSupported,
};
