/**
 * How a kind's live objects are written as manifest YAML, for `lxplan export` (and so for
 * adopting what LXD has): each kind that has an export.ts exports one KindExport, its registry
 * entry's `export:`; workflow/adopt.ts writes every such kind's section without knowing the kind.
 */
import type { LiveSnapshot } from './spec.js';

export interface KindExport<L = any> {
  /** The manifest section it writes (its top-level key). */
  section: string;
  /** One live object as its manifest entry, as a user would write it: defaults and what LXD fills in itself left out. */
  toManifest(l: L, live: LiveSnapshot): Record<string, unknown>;
}
