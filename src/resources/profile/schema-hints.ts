/** How the schema's findings about profiles read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';
import { projectKeyNotSupported } from '../project/schema-hints.js';

export const profileSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('profile', name),
  unknownKey: projectKeyNotSupported,
};
