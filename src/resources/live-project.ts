/**
 * Reading LXD for a run scoped to a project: the projects (global, one request), then what
 * readLive reads inside the scope project. A scope project that does not exist yet (declared
 * under projects:, created by this apply) holds nothing: its reads are not sent (LXD answers 404
 * for most of them) and read as empty, except what the new project will not have of its own
 * (a kind whose feature is off is the default project's, read there: where.ts) and the default
 * profile LXD gives a project with features.profiles. In a scope project that exists, the kinds
 * whose feature is off are read in the default project too (LXD would serve them from there
 * through ?project=P, but only while P exists: one rule for reads, writes and deletes).
 */
import type { LxdClient } from '../lxd/client.js';
import type { LxdProfile } from '../lxd/types.js';
import type { State } from '../state/model.js';
import { mergeOtherProjects } from './live-other-projects.js';
import { readLive } from './live.js';
import type { LiveSnapshot } from './spec.js';
import type { Kind, Manifest } from './types.js';
import { holdingProject } from './where.js';

/** The default profile LXD 5.0.2 makes with a project (read back after `POST /1.0/projects`). */
export function newProjectDefaultProfile(project: string): LxdProfile {
  return { name: 'default', description: `Default LXD profile for project ${project}`, config: {}, devices: {}, used_by: [] };
}

/** `state`: what lxplan recorded, to find the objects living in other projects than the scope (live-other-projects.ts). */
export async function readLiveIn(client: LxdClient, manifest: Manifest, snapshotsOf: readonly string[] = [], state?: State): Promise<LiveSnapshot> {
  const live = await readLiveInScope(client, manifest, snapshotsOf);
  return state ? mergeOtherProjects(client, manifest, state, snapshotsOf, live) : live;
}

async function readLiveInScope(client: LxdClient, manifest: Manifest, snapshotsOf: readonly string[]): Promise<LiveSnapshot> {
  const root = client.project === 'default' ? client : client.withProject('default');
  const projects = Object.fromEntries((await root.listProjects()).map((p) => [p.name, p]));
  const scope = client.project;
  // Where each kind is: by the project's features as LXD has them (as declared, for a project about to be created).
  const config = projects[scope]?.config ?? manifest.projects?.[scope]?.config;
  const own = (kind: Kind) => holdingProject(kind, scope, config) === scope;
  if (projects[scope]) return { ...(await readLive(client, snapshotsOf, (kind) => (own(kind) ? client : root))), projects };
  const shared = await readLive(root);
  return {
    ...shared,
    instances: {},
    snapshots: {},
    profiles: own('profile') ? { default: newProjectDefaultProfile(scope) } : shared.profiles,
    images: own('image') ? [] : shared.images,
    networks: own('network') ? {} : shared.networks,
    storageVolumes: own('storage_volume') ? {} : shared.storageVolumes,
    projects,
  };
}
