/**
 * LXD's naming rules for the objects a manifest defines, as sentences: the schema's
 * patterns say the same for editors, but a person reading an error wants to know which
 * rule the name broke.
 *
 * Instance names are hostnames (LXD's validate.IsHostname; LXD 5.0 also refuses a leading
 * digit). Profile names and image aliases end up in URL paths, so no "/" and no spaces.
 */

/** Why `name` is not a valid instance name, or null. */
export function instanceNameProblem(name: string): string | null {
  const why = (rule: string) => `invalid instance name "${name}": ${rule}`;
  if (name.length < 1 || name.length > 63) return why('instance names are 1 to 63 characters long');
  if (!/^[A-Za-z0-9-]+$/.test(name)) return why('instance names may contain only ASCII letters, digits and hyphens (they become hostnames)');
  if (!/^[A-Za-z]/.test(name)) return why('instance names must start with a letter');
  if (name.endsWith('-')) return why('instance names must not end with a hyphen');
  return null;
}

/** Why `name` is not a valid profile name or image alias, or null. */
export function objectNameProblem(kind: 'profile' | 'image', name: string): string | null {
  const what = kind === 'profile' ? 'profile name' : 'image alias';
  if (name.length === 0) return `invalid ${what} "": names must not be empty`;
  if (name.includes('/')) return `invalid ${what} "${name}": names must not contain "/"`;
  if (/\s/.test(name)) return `invalid ${what} "${name}": names must not contain spaces`;
  return null;
}
