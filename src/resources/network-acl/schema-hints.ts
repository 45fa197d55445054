/** How the schema's findings about network ACLs read (src/manifest/schema-hints.ts). */
import type { SchemaHints } from '../../manifest/schema-hints.js';
import { projectKeyNotSupported } from '../project/schema-hints.js';

/** LXD 5.0.2's rules for an ACL name, each as it words them (checked against the daemon). */
export function aclNameProblem(name: string): string | null {
  const why = (rule: string) => `invalid network ACL name "${name}": ${rule}`;
  if (name.length < 1 || name.length > 63) return why('names are 1 to 63 characters long');
  if (!/^[A-Za-z0-9-]+$/.test(name)) return why('names may contain only ASCII letters, digits and hyphens');
  if (/^[0-9]/.test(name)) return why('names must not start with a digit');
  if (name.startsWith('-')) return why('names must not start with a hyphen');
  if (name.endsWith('-')) return why('names must not end with a hyphen');
  return null;
}

export const networkAclSchemaHints: SchemaHints = {
  nameProblem: aclNameProblem,
  unknownKey: projectKeyNotSupported,
};
