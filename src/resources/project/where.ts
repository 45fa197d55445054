/**
 * Where LXD keeps an object of a project: the one rule lxplan reads, writes, deletes and orders
 * by (LXD's doc/projects.md). Each kind says where it lives (its LiveKind's `where`, in
 * <kind>/live.ts): instances and their snapshots always in their project; images, profiles,
 * networks and custom volumes in it when the project has the matching feature, and in the
 * default project otherwise; projects, storage pools and the server are global.
 *
 * Observed on LXD 5.0.2: while project P exists, a request with ?project=P for a kind whose
 * feature is off is served from the default project; before P is created and after it is
 * deleted, the same request is refused with 404 "Failed to load project "P": Project not found".
 * So such an object is asked for in the project that holds it, never through P.
 */
import { hasFeature } from './spec.js';

/** Where a kind's objects live: global (not in a project), always in their project, or in it when the project has this feature (else in the default project). */
export type Where = 'global' | 'project' | `features.${string}`;

/** The state attribute recording the project an object lives in (only when it is not the scope). */
export const PROJECT_ATTRIBUTE = 'project';

/**
 * The project holding the objects living at `where` of `project`, whose config is `config` (as
 * declared for a project about to be created, else as LXD has it): the project itself, or the
 * default project when the feature is off; undefined for global kinds.
 */
export function holdingProjectAt(where: Where, project: string, config: Record<string, string> | undefined): string | undefined {
  if (where === 'global') return undefined;
  if (where === 'project') return project;
  return hasFeature(project, config, where) ? project : 'default';
}
