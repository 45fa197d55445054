/** How the schema's findings about images read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';

export const imageSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('image', name),
  requiredHints: {
    source:
      'give source: {metadata: ..., rootfs: ...} (a split image), {directory: ...} (a root file system lxplan packs), {remote: ..., alias: ...} (a copy) or {instance: ..., snapshot: ...} (published)',
  },
};
