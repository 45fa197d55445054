/**
 * Objects of this directory that live in other projects than its scope (`project:` on an
 * instance or an image, object-project.ts): each such project's lists are read once (the same
 * requests as readLive, one set per project, whatever the number of objects), and only the
 * instances (with their snapshots) and images this directory declares there or recorded there
 * are taken into the snapshot.
 * The scope project's objects of the same names are dropped: the name means the object where it
 * lives. Nothing else of another project is ever seen, so nothing else there is touched.
 */
import type { LxdClient } from '../lxd/client.js';
import type { State } from '../state/model.js';
import { readLive } from './live.js';
import { declaredProject, liveProjectOf, otherProjects, PER_OBJECT_PROJECT, scopeOfManifest } from './object-project.js';
import type { LiveSnapshot } from './spec.js';
import { addressOf, type Kind, type Manifest } from './types.js';

/** Whether `snapshot` (one project's lists) has an object of `kind` named `name` (images: an alias). */
function has(snapshot: LiveSnapshot, kind: Kind, name: string): boolean {
  return kind === 'image' ? snapshot.images.some((i) => (i.aliases ?? []).some((a) => a.name === name)) : name in snapshot.instances;
}

export async function mergeOtherProjects(client: LxdClient, manifest: Manifest, state: State, snapshotsOf: readonly string[], live: LiveSnapshot): Promise<LiveSnapshot> {
  const others = otherProjects(manifest, state);
  // Objects moving to another project (project: changed): the name must be free there. (The scope's lists are read already.)
  const scope = scopeOfManifest(manifest);
  const moves = [...PER_OBJECT_PROJECT].flatMap((kind) => Object.keys(kind === 'image' ? manifest.images : manifest.instances)
    .map((name) => ({ kind, name, to: declaredProject(kind, name, manifest)!, from: liveProjectOf(kind, name, manifest, state) }))
    .filter((m) => m.to !== m.from));
  if (others.size === 0 && moves.length === 0) return live;
  const destinations = moves.map((m) => m.to).filter((p) => p !== scope && !others.has(p));
  const instances = { ...live.instances };
  const snapshots = { ...(live.snapshots ?? {}) };
  let images = live.images;
  const lists = new Map<string, LiveSnapshot | undefined>([[scope, live]]);
  const reads = await Promise.all([...others, ...destinations.map((p) => [p, new Map()] as const)].map(async ([project, byKind]) => {
    // A project about to be created (declared under projects:) holds nothing yet.
    const exists = live.projects === undefined || live.projects[project] !== undefined;
    const mine = byKind.get('instance') ?? new Set<string>();
    const there = exists ? await readLive(client.withProject(project), snapshotsOf.filter((n) => mine.has(n))) : undefined;
    lists.set(project, there);
    return { byKind, there };
  }));
  const movesBlocked: Record<string, string> = {};
  for (const m of moves) {
    const there = lists.get(m.to);
    if (there && has(there, m.kind, m.name)) movesBlocked[addressOf(m.kind, m.name)] = m.to;
  }
  for (const { byKind, there } of reads) {
    for (const n of byKind.get('instance') ?? []) {
      delete instances[n];
      for (const k of Object.keys(snapshots)) if (k.startsWith(`${n}/`)) delete snapshots[k];
      const l = there?.instances[n];
      if (l) instances[n] = l;
      for (const [k, s] of Object.entries(there?.snapshots ?? {})) if (k.startsWith(`${n}/`)) snapshots[k] = s;
    }
    // Images are named by alias: the scope's image loses the alias, the other project's image carrying it is added.
    const aliases = byKind.get('image') ?? new Set<string>();
    if (aliases.size > 0) {
      images = images.map((i) => ({ ...i, aliases: (i.aliases ?? []).filter((a) => !aliases.has(a.name)) }));
      images = [...images, ...(there?.images ?? []).filter((i) => (i.aliases ?? []).some((a) => aliases.has(a.name)))];
    }
  }
  return {
    ...live, instances, images, ...(live.snapshots !== undefined || Object.keys(snapshots).length > 0 ? { snapshots } : {}),
    ...(Object.keys(movesBlocked).length > 0 ? { movesBlocked } : {}),
  };
}
