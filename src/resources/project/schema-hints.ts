/**
 * How the schema's findings about projects read (src/manifest/schema-hints.ts), and the
 * findings for `project:` on objects of other kinds, which the project kind words for them:
 * kinds that do not take it yet, and global kinds that never will.
 */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { objectNameProblem } from '../../manifest/names.js';

/** `project:` on an object of a kind that is inside a project but does not take project: (yet). */
export function projectKeyNotSupported(key: string, where: string): { message: string; hint?: string } | undefined {
  if (key !== 'project') return undefined;
  return {
    message: `project: on ${where} is not supported yet (only instances and images take project:)`,
    hint: 'put objects of another project in their own directory with a top-level project: NAME',
  };
}

/** `project:` on an object of a global kind (`kinds`: its plural in words, "storage pools"). */
export function projectKeyOnGlobal(kinds: string): SchemaHints['unknownKey'] {
  return (key, where) =>
    key === 'project' ? { message: `project: on ${where}: ${kinds} are global, not inside a project`, hint: 'remove the project: key' } : undefined;
}

export const projectSchemaHints: SchemaHints = {
  nameProblem: (name) => objectNameProblem('project', name),
  unknownKey: projectKeyOnGlobal('projects'),
};
