/**
 * Where LXD keeps an object of a project: the one rule lxplan reads, writes, deletes and orders
 * by (LXD's doc/projects.md). Instances and their snapshots are always in their project;
 * images, profiles, networks and custom volumes are in it when the project has the matching
 * feature, and in the default project otherwise; projects, storage pools and the server are
 * global.
 *
 * Observed on LXD 5.0.2: while project P exists, a request with ?project=P for a kind whose
 * feature is off is served from the default project; before P is created and after it is
 * deleted, the same request is refused with 404 "Failed to load project "P": Project not found".
 * So such an object is asked for in the project that holds it, never through P.
 */
import { hasFeature } from './project/spec.js';
import type { Kind } from './types.js';

/** Per kind: global, always in the project, or in the project when it has this feature. */
export const WHERE: Record<Kind, 'global' | 'project' | `features.${string}`> = {
  project: 'global',
  storage_pool: 'global',
  network: 'features.networks',
  network_acl: 'features.networks',
  storage_volume: 'features.storage.volumes',
  image: 'features.images',
  profile: 'features.profiles',
  instance: 'project',
  snapshot: 'project',
  server: 'global',
};

/**
 * The project holding the `kind` objects of `project`, whose config is `config` (as declared for
 * a project about to be created, else as LXD has it): the project itself, or the default project
 * when the feature is off; undefined for global kinds.
 */
export function holdingProject(kind: Kind, project: string, config: Record<string, string> | undefined): string | undefined {
  const where = WHERE[kind];
  if (where === 'global') return undefined;
  if (where === 'project') return project;
  return hasFeature(project, config, where) ? project : 'default';
}
