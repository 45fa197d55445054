/**
 * Reading LXD for a run scoped to a project: the kinds that say where the others live (the
 * projects: global, one request), then what readLive reads inside the scope project. A scope
 * project that does not exist yet (declared under projects:, created by this apply) holds
 * nothing: its reads are not sent (LXD answers 404 for most of them) and read as each kind's
 * `none` (nothing, or the default profile LXD gives a new project with its own profiles), except
 * what the new project will not have of its own (a kind whose feature is off is the default
 * project's, read there: where.ts). In a scope project that exists, the kinds whose feature is
 * off are read in the default project too (LXD would serve them from there through ?project=P,
 * but only while P exists: one rule for reads, writes and deletes).
 */
import type { LxdClient } from '../lxd/client.js';
import type { State } from '../state/model.js';
import { mergeOtherProjects } from './live-other-projects.js';
import { readKinds, readLive } from './live.js';
import { registry } from './registry.js';
import type { LiveSnapshot } from './spec.js';
import type { Kind, Manifest } from './types.js';
import { holdingProject } from './where.js';

/** `state`: what lxplan recorded, to find the objects living in other projects than the scope (live-other-projects.ts). */
export async function readLiveIn(client: LxdClient, manifest: Manifest, snapshotsOf: readonly string[] = [], state?: State): Promise<LiveSnapshot> {
  const live = await readLiveInScope(client, manifest, snapshotsOf);
  return state ? mergeOtherProjects(client, manifest, state, snapshotsOf, live) : live;
}

async function readLiveInScope(client: LxdClient, manifest: Manifest, snapshotsOf: readonly string[]): Promise<LiveSnapshot> {
  const root = client.project === 'default' ? client : client.withProject('default');
  const scoping = registry.filter((e) => e.live.scoping);
  const first = await readKinds(scoping, root, () => []);
  const scope = client.project;
  // Where each kind is: by the project's features as LXD has them (as declared, for a project about to be created).
  const config = scoping.map((e) => e.live.scoping!.config(first, manifest, scope)).find((c) => c !== undefined);
  const own = (kind: Kind) => holdingProject(kind, scope, config) === scope;
  if (scoping.every((e) => e.live.scoping!.exists(first, scope) === true)) {
    return { ...(await readLive(client, snapshotsOf, (kind) => (own(kind) ? client : root))), ...first };
  }
  const shared = await readLive(root);
  return Object.assign(
    { ...shared },
    ...registry.filter((e) => !e.live.scoping && own(e.kind)).map((e) => e.live.none(scope, shared.server)),
    first,
  ) as LiveSnapshot;
}
