/**
 * Named instance snapshots, "INSTANCE/SNAPSHOT" (the address "snapshot.web-1/before-upgrade"):
 * taken once and kept. A snapshot's content is fixed when LXD takes it, so there is nothing to
 * compare: a declared snapshot that exists is a noop forever, a missing one is taken, and one
 * removed from the manifests is deleted (a guarded, destructive change: see workflow/guards.ts).
 *
 * It references its instance: taken after the instance exists, deleted before it. LXD deletes an
 * instance's snapshots with the instance and renames them with it: src/planner/snapshots.ts makes
 * the plan say so (replaced with a replaced instance, kept through a rename).
 *
 * Live snapshots: LXD 5.0.2's /1.0/instances?recursion=1 has no `snapshots` field (only
 * recursion=2, which also reads every instance's state: slow), so they are read with one
 * /1.0/instances/{name}/snapshots?recursion=1 per instance that declares snapshots or has
 * snapshots in the state (see live.ts): proportional to the instances with snapshots only.
 */
import type { LxdInstanceSnapshot } from '../../lxd/types.js';
import { digestOf } from '../fields.js';
import type { ResourceSpec } from '../spec.js';
import { addressOf, splitSnapshotName, type DesiredSnapshot, type Manifest } from '../types.js';
import type { State } from '../../state/model.js';

/** "INSTANCE/SNAPSHOT" for a live snapshot. */
export function snapshotKey(s: { instance: string; name: string }): string {
  return `${s.instance}/${s.name}`;
}

/** The instances whose snapshots a plan needs: those declaring snapshots, those with snapshots in the state, and those whose snapshots are copied. */
export function instancesWithSnapshots(m: Manifest | undefined, state: State | undefined): string[] {
  const names = new Set<string>();
  for (const d of Object.values(m?.snapshots ?? {})) names.add(d.instance);
  // A copy of a snapshot: whether that snapshot exists is checked before planning.
  for (const d of Object.values(m?.instances ?? {})) if (d.copyOf?.snapshot) names.add(d.copyOf.instance);
  for (const e of Object.values(state?.resources ?? {})) if (e.kind === 'snapshot') names.add(splitSnapshotName(e.name).instance);
  return [...names].sort();
}

export const snapshotSpec: ResourceSpec<DesiredSnapshot, LxdInstanceSnapshot> = {
  kind: 'snapshot',
  desired: (m) => m.snapshots ?? {},
  live: (s) => s.snapshots ?? {},
  // Existence only: nothing of a snapshot changes after it is taken.
  desiredFields: () => ({}),
  liveFields: () => ({}),
  fieldImpact: () => ({ impact: 'replace' }),
  refs: (d) => [addressOf('instance', d.instance)],
  liveRefs: (l) => [addressOf('instance', l.instance)],
  partOfReferenced: true,
  builtin: () => false,
  stateAttributes: () => ({}),
  digest: (l) => digestOf({ name: l.name, created_at: l.created_at }),
};
