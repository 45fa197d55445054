/**
 * LXD's naming rules for the objects a manifest defines, as sentences: the schema's
 * patterns say the same for editors, but a person reading an error wants to know which
 * rule the name broke. Each kind's rule is its manifest's nameProblem (src/resources/<kind>/manifest.ts);
 * the rule most kinds share is here.
 */
import { registry } from '../resources/registry.js';
import type { Kind } from '../resources/types.js';

export { instanceNameProblem } from '../resources/instance/manifest.js';

/** Why `name` is not a valid name of `kind`, or null (a kind without a rule takes any name). */
export function objectNameProblem(kind: Kind, name: string): string | null {
  return registry.find((e) => e.kind === kind)?.manifest?.nameProblem?.(name) ?? null;
}

/**
 * The rule of names that end up in URL paths (profile names, image aliases, pools, projects):
 * not empty, no "/" and no spaces. `what` names the name in messages ("profile name").
 */
export function plainNameProblem(what: string, name: string): string | null {
  if (name.length === 0) return `invalid ${what} "": names must not be empty`;
  if (name.includes('/')) return `invalid ${what} "${name}": names must not contain "/"`;
  if (/\s/.test(name)) return `invalid ${what} "${name}": names must not contain spaces`;
  return null;
}
