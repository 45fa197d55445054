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

export type NamedKind = 'profile' | 'image' | 'network' | 'storage_pool' | 'storage_volume' | 'project';

const NAME_WORDS: Record<NamedKind, string> = {
  profile: 'profile name', image: 'image alias', network: 'network name', storage_pool: 'storage pool name', storage_volume: 'custom volume', project: 'project name',
};

/**
 * Why `name` is not a valid profile name, image alias, network name, pool name or custom volume
 * key, or null. Networks become host interfaces (LXD 5.0.2: 2 to 15 characters, letters, digits,
 * "-", "_", "."); pools and volumes end up in paths ("." and ".." are refused here, LXD 5.0.2
 * takes a volume called ".."); a custom volume is keyed "POOL/VOLUME".
 */
export function objectNameProblem(kind: NamedKind, name: string): string | null {
  const what = NAME_WORDS[kind];
  if (name.length === 0) return `invalid ${what} "": names must not be empty`;
  if (kind === 'network') {
    if (name.length < 2 || name.length > 15) return `invalid ${what} "${name}": network names are 2 to 15 characters long (they become interface names)`;
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `invalid ${what} "${name}": network names may contain only ASCII letters, digits, "-", "_" and "."`;
    return null;
  }
  if (kind === 'storage_volume') {
    const parts = name.split('/');
    if (parts.length !== 2 || parts.some((p) => p === '')) return `invalid ${what} "${name}": write the key as POOL/VOLUME, e.g. default/data`;
    return parts.map((p, i) => partProblem(what, name, p, i === 0 ? 'pool' : 'volume')).find((x) => x !== null) ?? null;
  }
  if (name.includes('/')) return `invalid ${what} "${name}": names must not contain "/"`;
  if (/\s/.test(name)) return `invalid ${what} "${name}": names must not contain spaces`;
  if (kind === 'storage_pool' && (name === '.' || name === '..')) return `invalid ${what} "${name}": "." and ".." are not names`;
  return null;
}

function partProblem(what: string, name: string, part: string, which: 'pool' | 'volume'): string | null {
  if (/\s/.test(part)) return `invalid ${what} "${name}": the ${which} name must not contain spaces`;
  if (part === '.' || part === '..') return `invalid ${what} "${name}": "." and ".." are not ${which} names`;
  return null;
}
