/**
 * The registry's list, for the generic helpers the kinds themselves import (where.ts,
 * object-project.ts). Those cannot import registry.ts: it imports every kind, so a kind loaded
 * first would have the registry evaluated before itself. registry.ts hands its list over here
 * once it is made; the helpers read it when called, never while modules load.
 */
import type { KindEntry } from './registry.js';

let entries: readonly KindEntry[] | undefined;

/** Called by registry.ts with its list. */
export function bindRegistry(list: readonly KindEntry[]): void {
  entries = list;
}

/** The registry's entries, in its order. */
export function kindEntries(): readonly KindEntry[] {
  if (!entries) throw new Error('src/resources/registry.ts is not loaded');
  return entries;
}
