/**
 * Human names for places in a manifest: ["instances", "web-1", "devices", "root"] reads as
 * `device "root" of instance "web-1"`. Every error message is built around one of these,
 * so messages speak the user's terms rather than JSON pointers.
 */
import { registry } from '../resources/registry.js';
import type { Kind } from '../resources/types.js';

/** A top-level key that maps names to objects of one kind ("instances"): a kind's manifest section (src/manifest/kind.ts). */
export type Section = string;

/** Each section's kind, from the registry; read on first use (the registry imports the kinds, whose readers import this file). */
let sectionKinds: ReadonlyMap<string, Kind> | undefined;
function sectionTable(): ReadonlyMap<string, Kind> {
  sectionKinds ??= new Map(registry.filter((e) => e.manifest.section && !e.manifest.single).map((e) => [e.manifest.section!, e.kind]));
  return sectionKinds;
}

/** The sections that map names to objects, in the registry's order. */
export function sections(): Section[] {
  return [...sectionTable().keys()];
}

/** The kind of each section ("instances" to the kind of instances). */
export const KIND_OF: Readonly<Record<Section, Kind>> = new Proxy(
  {},
  {
    get: (_t, key) => (typeof key === 'string' ? sectionTable().get(key) : undefined),
  },
);

export function isSection(s: string | undefined): s is Section {
  return s !== undefined && sectionTable().has(s);
}

/** `instance "web-1"` for ["instances", "web-1", ...]; undefined above the object level. */
export function ownerOf(segs: readonly string[]): string | undefined {
  if (segs.length >= 2 && segs[0] === 'remotes') return `remote "${segs[1]}"`;
  if (segs.length < 2 || !isSection(segs[0])) return undefined;
  return `${KIND_OF[segs[0]]} "${segs[1]}"`;
}

/** A place in the manifest, in words. */
export function describe(segs: readonly string[]): string {
  if (segs.length === 0) return 'the manifest';
  const owner = ownerOf(segs);
  if (!owner) return segs.length === 1 ? `"${segs[0]}"` : `"${segs.join('.')}"`;
  const rest = segs.slice(2);
  const [a, b, c] = rest;
  switch (rest.length) {
    case 0:
      return owner;
    case 1:
      return a === 'limits' || a === 'config' || a === 'devices' || a === 'source' ? `${a} of ${owner}` : `"${a}" of ${owner}`;
    case 2:
      if (a === 'limits') return `limit "${b}" of ${owner}`;
      if (a === 'config') return `config key "${b}" of ${owner}`;
      if (a === 'devices') return `device "${b}" of ${owner}`;
      if (a === 'profiles') return `entry ${Number(b) + 1} of "profiles" of ${owner}`;
      if (a === 'source') return `"${b}" in source of ${owner}`;
      break;
    case 3:
      if (a === 'devices') return `"${c}" of device "${b}" of ${owner}`;
      break;
  }
  return `"${rest.join('.')}" of ${owner}`;
}

/** Where a key sits, for "unknown key X in ...": the object itself reads better than "the object's body". */
export function describeContainer(segs: readonly string[]): string {
  if (segs.length === 0) return 'at the top level';
  return `in ${describe(segs)}`;
}
