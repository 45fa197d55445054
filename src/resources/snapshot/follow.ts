/**
 * Snapshots follow their instance in LXD: a replaced (deleted and created again) instance loses
 * them, a renamed one takes them along. The per-kind planning sees each snapshot on its own, so
 * this pass, run once every kind is planned, makes the plan say what LXD will really do:
 *
 *  - instance replaced: each declared snapshot that exists is replaced too (LXD deletes it with
 *    the instance; it is taken again from the new instance, and what the old one held is lost);
 *    snapshots LXD has that lxplan does not manage are named in the instance's reason;
 *  - instance deleted: snapshots lxplan does not manage are named too (LXD deletes them with it);
 *  - instance renamed: a snapshot that moves with it is kept (its state entry moves), not deleted
 *    under the old name and taken again under the new one (which LXD would refuse: it exists);
 *  - snapshots of one instance are taken one at a time (see oneSnapshotAtATime).
 *
 * The planner runs it through the snapshot spec's afterPlan hook.
 */
import type { ResourceChange } from '../../planner/plan.js';
import type { PlanContext } from '../spec.js';
import { addressOf, splitSnapshotName } from '../types.js';

function unmanagedSnapshotsOf(instance: string, ctx: PlanContext, changes: ResourceChange[]): string[] {
  const planned = new Set(changes.filter((c) => c.kind === 'snapshot').map((c) => c.name));
  return Object.keys(ctx.live.snapshots ?? {})
    .filter((key) => splitSnapshotName(key).instance === instance && !planned.has(key))
    .map((key) => splitSnapshotName(key).snapshot)
    .sort();
}

function addReason(c: ResourceChange, text: string): void {
  c.reason = c.reason ? `${c.reason}; ${text}` : text;
}

export function followInstanceSnapshots(changes: ResourceChange[], ctx: PlanContext): ResourceChange[] {
  const snapshotsOf = (instance: string) => changes.filter((c) => c.kind === 'snapshot' && splitSnapshotName(c.name).instance === instance);
  const dropped = new Set<ResourceChange>();
  for (const inst of changes) {
    if (inst.kind !== 'instance') continue;
    if (inst.action === 'replace' || inst.action === 'delete') {
      const others = unmanagedSnapshotsOf(inst.renamedFrom ?? inst.name, ctx, changes);
      if (others.length > 0)
        addReason(
          inst,
          `LXD deletes its snapshots with it, including ${others.length === 1 ? 'one' : others.length} lxplan does not manage: ${others.join(', ')}`,
        );
    }
    if (inst.action === 'replace') {
      for (const s of snapshotsOf(inst.name)) {
        if (s.action !== 'noop' || !s.desired || s.stateOp === 'remove') continue;
        Object.assign(s, {
          action: 'replace',
          impact: 'replace',
          stateOp: 'add',
          reason: 'LXD deletes it with its instance: taken again from the new instance (what it held is lost)',
        });
      }
    }
    if (inst.renamedFrom) {
      for (const gone of snapshotsOf(inst.renamedFrom)) {
        if (gone.action !== 'delete') continue;
        const { snapshot } = splitSnapshotName(gone.name);
        const taken = changes.find((c) => c.kind === 'snapshot' && c.name === `${inst.name}/${snapshot}` && c.action === 'create');
        if (!taken) continue;
        // One change instead of a delete and a create: LXD renames the snapshots with their instance.
        Object.assign(taken, {
          action: 'noop',
          stateOp: 'add',
          renamedFrom: gone.name,
          liveDigest: gone.liveDigest,
          dependsOn: [addressOf('instance', inst.name)],
          reason: `moves with instance ${inst.renamedFrom} renamed to ${inst.name}`,
        });
        dropped.add(gone);
      }
    }
  }
  const kept = dropped.size === 0 ? changes : changes.filter((c) => !dropped.has(c));
  oneSnapshotAtATime(kept);
  return kept;
}

/**
 * Snapshots of one instance are taken one after the other: LXD 5.0.2 freezes a running container
 * for each snapshot, and two snapshots of the same container at once can leave one of them
 * running forever (seen here: the operation "Snapshotting instance" stayed RUNNING until the
 * container was force-stopped). Each take waits for the previous one of the same instance.
 */
function oneSnapshotAtATime(changes: ResourceChange[]): void {
  const last = new Map<string, ResourceChange>();
  for (const c of changes) {
    if (c.kind !== 'snapshot' || (c.action !== 'create' && c.action !== 'replace')) continue;
    const { instance } = splitSnapshotName(c.name);
    const before = last.get(instance);
    if (before && !c.dependsOn.includes(before.address)) c.dependsOn.push(before.address);
    last.set(instance, c);
  }
}
