/**
 * Objects of this directory that live in other projects than its scope (`project:` on an
 * object of a kind that takes it, object-project.ts): each such project's lists are read once
 * (the same requests as readLive, one set per project, whatever the number of objects), and only
 * the objects this directory declares there or recorded there (with what belongs to them: an
 * instance's snapshots) are taken into the snapshot (each kind's perObjectProject.takeFrom).
 * The scope project's objects of the same names are dropped: the name means the object where it
 * lives. Nothing else of another project is ever seen, so nothing else there is touched.
 */
import type { LxdClient } from '../lxd/client.js';
import type { State } from '../state/model.js';
import { readLive } from './live.js';
import { declaredProject, liveProjectOf, otherProjects, scopeOfManifest } from './object-project.js';
import { registry } from './registry.js';
import type { LiveSnapshot } from './spec.js';
import { addressOf, type Kind, type Manifest } from './types.js';

export async function mergeOtherProjects(
  client: LxdClient,
  manifest: Manifest,
  state: State,
  snapshotsOf: readonly string[],
  live: LiveSnapshot,
): Promise<LiveSnapshot> {
  const others = otherProjects(manifest, state);
  // Objects moving to another project (project: changed): the name must be free there. (The scope's lists are read already.)
  const scope = scopeOfManifest(manifest);
  const moves = registry
    .filter((e) => e.live.perObjectProject)
    .flatMap((e) =>
      Object.keys(e.spec.desired(manifest))
        .map((name) => ({ entry: e, name, to: declaredProject(e.kind, name, manifest)!, from: liveProjectOf(e.kind, name, manifest, state) }))
        .filter((m) => m.to !== m.from),
    );
  if (others.size === 0 && moves.length === 0) return live;
  const destinations = moves.map((m) => m.to).filter((p) => p !== scope && !others.has(p));
  // The kinds others belong to (instances: their snapshots are read with them).
  const owners = new Set(registry.flatMap((e) => (e.live.ownedBy ? [e.live.ownedBy.kind] : [])));
  const lists = new Map<string, LiveSnapshot | undefined>([[scope, live]]);
  const reads = await Promise.all(
    [...others, ...destinations.map((p) => [p, new Map<Kind, Set<string>>()] as const)].map(async ([project, byKind]) => {
      // A project about to be created (declared under projects:) holds nothing yet.
      const exists = registry.every((e) => e.live.scoping?.exists(live, project) ?? true);
      const mine = new Set([...owners].flatMap((k) => [...(byKind.get(k) ?? [])]));
      const there = exists
        ? await readLive(
            client.withProject(project),
            snapshotsOf.filter((n) => mine.has(n)),
          )
        : undefined;
      lists.set(project, there);
      return { byKind, there };
    }),
  );
  const movesBlocked: Record<string, string> = {};
  for (const m of moves) {
    const there = lists.get(m.to);
    if (there && m.entry.live.perObjectProject!.has(there, m.name)) movesBlocked[addressOf(m.entry.kind, m.name)] = m.to;
  }
  let next = live;
  for (const { byKind, there } of reads) {
    for (const { kind, live: l } of registry) {
      const names = byKind.get(kind);
      if (l.perObjectProject && names) next = l.perObjectProject.takeFrom(next, there, names);
      const ownerNames = l.ownedBy && byKind.get(l.ownedBy.kind);
      if (l.ownedBy && ownerNames) next = l.ownedBy.takeFrom(next, there, ownerNames);
    }
  }
  return { ...next, ...(Object.keys(movesBlocked).length > 0 ? { movesBlocked } : {}) };
}
