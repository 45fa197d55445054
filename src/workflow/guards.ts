/**
 * Destructive changes must be asked for by name: nothing destroys a container by surprise.
 * Deleting or replacing an instance (its disk is lost) needs --allow-delete / --allow-replace,
 * or, on a terminal, a confirmation that lists the instances by name.
 */
import { LxplanError } from '../errors.js';
import type { Plan, ResourceChange } from '../planner/plan.js';

export interface GuardOptions {
  allowReplace: boolean;
  allowDelete: boolean;
}

export interface Destructive {
  deletes: ResourceChange[];
  replaces: ResourceChange[];
}

/** Instances the plan destroys (images and profiles hold no data of their own). */
export function destructive(plan: Plan): Destructive {
  const instances = plan.changes.filter((c) => c.kind === 'instance');
  return { deletes: instances.filter((c) => c.action === 'delete'), replaces: instances.filter((c) => c.action === 'replace') };
}

/** The destroyed instances the flags do not allow; empty when everything is allowed. */
export function unallowed(plan: Plan, opts: GuardOptions): Destructive {
  const d = destructive(plan);
  return { deletes: opts.allowDelete ? [] : d.deletes, replaces: opts.allowReplace ? [] : d.replaces };
}

/** "instance web-1 (deleted), instance web-2 (replaced: disk destroyed and created again)". */
export function describeDestructive(d: Destructive): string {
  return [
    ...d.deletes.map((c) => `instance ${c.name} (deleted)`),
    ...d.replaces.map((c) => `instance ${c.name} (replaced: destroyed and created again)`),
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
