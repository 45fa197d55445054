/**
 * Where LXD keeps an object of a project, per kind: each kind's `where` (its registry entry's
 * `live:`), and the rule that turns it into a project (project/where.ts).
 */
import { holdingProjectAt, type Where } from './project/where.js';
import { kindEntries } from './kind-entries.js';
import { lazy } from './lazy.js';
import type { Kind } from './types.js';

export type { Where } from './project/where.js';

/** Per kind: global, always in the project, or in the project when it has this feature. */
export const WHERE: Readonly<Record<Kind, Where>> = lazy(() => Object.fromEntries(kindEntries().map((e) => [e.kind, e.live.where])) as Record<Kind, Where>);

/**
 * The project holding the `kind` objects of the given project, whose config is `config` (as
 * declared for a project about to be created, else as LXD has it): the project itself, or the default project
 * when the feature is off; undefined for global kinds.
 */
export function holdingProject(kind: Kind, project: string, config: Record<string, string> | undefined): string | undefined {
  return holdingProjectAt(WHERE[kind], project, config);
}
