/**
 * Destructive changes must be asked for by name: nothing destroys a container by surprise.
 * Deleting or replacing an instance, a custom volume or a snapshot (its data is lost) needs --allow-delete / --allow-replace,
 * or, on a terminal, a confirmation that lists the instances by name.
 */
import { LxplanError } from '../errors.js';
import type { Plan, ResourceChange } from '../planner/plan.js';
import type { Kind } from '../resources/types.js';

export interface GuardOptions {
  allowReplace: boolean;
  allowDelete: boolean;
}

export interface Destructive {
  deletes: ResourceChange[];
  replaces: ResourceChange[];
}

/** Kinds whose destruction loses data: instances (their root disk), custom volumes, and snapshots (the state they keep). */
const HOLDS_DATA: ReadonlySet<Kind> = new Set<Kind>(['instance', 'storage_volume', 'snapshot']);

/** Instances and custom volumes the plan destroys (images, profiles, networks and pools hold no data of their own). */
export function destructive(plan: Plan): Destructive {
  const holding = plan.changes.filter((c) => HOLDS_DATA.has(c.kind));
  return { deletes: holding.filter((c) => c.action === 'delete'), replaces: holding.filter((c) => c.action === 'replace') };
}

/** The destroyed instances the flags do not allow; empty when everything is allowed. */
export function unallowed(plan: Plan, opts: GuardOptions): Destructive {
  const d = destructive(plan);
  return { deletes: opts.allowDelete ? [] : d.deletes, replaces: opts.allowReplace ? [] : d.replaces };
}

/** "instance web-1 (deleted), instance web-2 (replaced: disk destroyed and created again)". */
export function describeDestructive(d: Destructive): string {
  return [
    ...d.deletes.map((c) => `${c.kind.replace('_', ' ')} ${c.name} (deleted)`),
    ...d.replaces.map((c) => `${c.kind.replace('_', ' ')} ${c.name} (replaced: destroyed and created again)`),
  ].join(', ');
}

/** Without a terminal to confirm on, what the flags do not allow is refused before anything is changed. */
export function checkGuards(plan: Plan, opts: GuardOptions): void {
  const u = unallowed(plan, opts);
  if (u.deletes.length + u.replaces.length === 0) return;
  const flags = [u.deletes.length ? '--allow-delete' : '', u.replaces.length ? '--allow-replace' : ''].filter(Boolean).join(' and ');
  throw new LxplanError('plan.guard', `the plan destroys ${describeDestructive(u)}: their disks would be lost`, {
    hint: `run lxapply with ${flags} to allow it; nothing was changed`,
  });
}
