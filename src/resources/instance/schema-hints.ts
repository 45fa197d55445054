/** How the schema's findings about instances read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { instanceNameProblem } from '../../manifest/names.js';

export const instanceSchemaHints: SchemaHints = {
  nameProblem: instanceNameProblem,
};
