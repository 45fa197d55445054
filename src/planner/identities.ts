/**
 * Two changes that touch the same LXD object never run at once. Each change touches the object
 * it is named for, and whatever else its kind says (`identities` on the spec: an image's
 * fingerprint and aliases); what the live object holds and what the desired one will hold, in
 * the project where LXD keeps it. When two changes share one and neither waits for the other
 * already, the planner makes one wait: the one that lets the object go first (an image deleted
 * before another takes its alias or its bytes), else deletes before updates before creates,
 * else the plan's order. It is an ordering of the plan's graph: the walker stays generic.
 *
 * Seen with an image key renamed without a rename: the create under the new key and the delete
 * of the old key ran in parallel, LXD saw one fingerprint, and the delete removed the image just
 * created.
 */
import { specs } from '../resources/index.js';
import type { Address } from '../resources/types.js';
import type { PlanContext } from '../resources/spec.js';
import type { ResourceChange } from './plan.js';
import { effectiveProject, scopeOf } from './scope.js';

interface Touches {
  change: ResourceChange;
  index: number;
  held: Set<string>;
  wanted: Set<string>;
}

const RANK: Record<ResourceChange['action'], number> = { delete: 0, replace: 1, update: 1, create: 2, noop: 3 };

/** What one change touches: what its live object holds and what its desired object will hold. */
function touches(c: ResourceChange, index: number, ctx: PlanContext): Touches {
  const spec = specs[c.kind];
  const scope = scopeOf(ctx);
  const where = (p: string) => effectiveProject(c.kind, p, ctx) ?? '';
  const liveName = c.renamedFrom ?? c.name;
  const l = spec.live(ctx.live)[liveName];
  const heldIn = where(c.fromProject ?? c.project ?? scope);
  const wantedIn = where(c.project ?? scope);
  const held = new Set<string>();
  const wanted = new Set<string>();
  if (l !== undefined) for (const id of [`${c.kind} ${liveName}`, ...(spec.identities?.(l, undefined) ?? [])]) held.add(`${heldIn}/${c.kind}:${id}`);
  if (c.desired) for (const id of [`${c.kind} ${c.name}`, ...(spec.identities?.(undefined, c.desired) ?? [])]) wanted.add(`${wantedIn}/${c.kind}:${id}`);
  return { change: c, index, held, wanted };
}

/** Whether `from` waits, directly or not, for `to`. */
function waitsFor(from: Address, to: Address, byAddress: Map<Address, ResourceChange>): boolean {
  const seen = new Set<Address>();
  const todo = [...(byAddress.get(from)?.dependsOn ?? [])];
  while (todo.length > 0) {
    const a = todo.pop()!;
    if (a === to) return true;
    if (seen.has(a)) continue;
    seen.add(a);
    todo.push(...(byAddress.get(a)?.dependsOn ?? []));
  }
  return false;
}

/** Which of two changes sharing `id` goes first. */
function first(a: Touches, b: Touches, id: string): [Touches, Touches] {
  const releases = (t: Touches) => t.held.has(id) && !t.wanted.has(id);
  const claims = (t: Touches) => t.wanted.has(id) && !t.held.has(id);
  if (releases(a) && claims(b)) return [a, b];
  if (releases(b) && claims(a)) return [b, a];
  const ra = RANK[a.change.action];
  const rb = RANK[b.change.action];
  if (ra !== rb) return ra < rb ? [a, b] : [b, a];
  return a.index < b.index ? [a, b] : [b, a];
}

/** Adds to `dependsOn` so that no two changes touching one LXD object run at once. Mutates the changes (the planner's own). */
export function orderSharedIdentities(changes: ResourceChange[], ctx: PlanContext): void {
  const active = changes.filter((c) => c.action !== 'noop').map((c, i) => touches(c, i, ctx));
  const byId = new Map<string, Touches[]>();
  for (const t of active) {
    for (const id of new Set([...t.held, ...t.wanted])) {
      if (!byId.has(id)) byId.set(id, []);
      byId.get(id)!.push(t);
    }
  }
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const [id, sharing] of byId) {
    for (let i = 0; i < sharing.length; i++) {
      for (let j = i + 1; j < sharing.length; j++) {
        const [before, after] = first(sharing[i], sharing[j], id);
        const b = before.change.address;
        const a = after.change.address;
        if (a === b || waitsFor(a, b, byAddress) || waitsFor(b, a, byAddress)) continue;
        after.change.dependsOn.push(b);
      }
    }
  }
}
