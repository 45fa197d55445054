/**
 * How a kind is written as a manifest from what LXD has (`lxplan export`) and adopted (`lxplan
 * import`): each exported kind's <kind>/export.ts exports one KindExport, its registry entry's
 * `export:` (absent: lxplan export does not write the kind). workflow/adopt.ts and the export
 * and import commands iterate the registry and call these.
 */
import type { Fields, LiveSnapshot } from './spec.js';

export interface KindExport<L = any> {
  /** The manifest section its objects are written under (with `entry`); absent: they are written inside the objects they belong to (an instance's snapshots), and imported with them by export --import. */
  section?: string;
  /** The manifest entry for live object `l`, as a user would write it. */
  entry?(l: L, live: LiveSnapshot): Record<string, unknown>;
  /** `lxplan export --name N` without --kind names objects of this kind (instances). */
  byName?: boolean;
  /** State attributes an import records from what LXD shows of the object (`fields`: its live fields), beyond the spec's stateAttributes: an instance's image. */
  importAttributes?(fields: Fields): Record<string, string>;
}
