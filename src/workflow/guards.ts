/**
 * Destructive changes must be asked for by name: nothing destroys a container by surprise.
 * Deleting or replacing an instance, a custom volume or a snapshot (its data is lost) needs --allow-delete / --allow-replace,
 * or, on a terminal, a confirmation that lists the instances by name.
 * Restarts are never implicit either: the planner decides each (restart: now when allowed, pending
 * when it can wait for the next start); one that can neither be done nor wait (`required`: a
 * running instance renamed, which LXD does only stopped, or moved to another cluster member, which
 * is stop, move, start) is refused here the same way, unless confirmed on a terminal.
 */
import { LxplanError } from '../errors.js';
import type { Plan, ResourceChange } from '../planner/plan.js';
import { specs } from '../resources/index.js';

export interface GuardOptions {
  allowReplace: boolean;
  allowDelete: boolean;
}

export interface Destructive {
  deletes: ResourceChange[];
  replaces: ResourceChange[];
  /** Running instances the plan must restart without having been allowed to (restart: required). */
  restarts: ResourceChange[];
}

/**
 * What the plan destroys of the kinds whose destruction loses data (ResourceSpec.holdsData:
 * instances, their root disk; custom volumes; snapshots, the state they keep). Images, profiles,
 * networks and pools hold no data of their own.
 */
export function destructive(plan: Plan): Destructive {
  const holding = plan.changes.filter((c) => specs[c.kind].holdsData);
  return {
    deletes: holding.filter((c) => c.action === 'delete'),
    replaces: holding.filter((c) => c.action === 'replace'),
    restarts: plan.changes.filter((c) => c.action !== 'noop' && c.restart === 'required'),
  };
}

/**
 * The destroyed instances the flags do not allow, and the restarts the plan was not allowed;
 * empty when everything is allowed. (Restarts are allowed when the plan is made, --allow-restart
 * or restart: auto: a saved plan carries its decision.)
 */
export function unallowed(plan: Plan, opts: GuardOptions): Destructive {
  const d = destructive(plan);
  return { deletes: opts.allowDelete ? [] : d.deletes, replaces: opts.allowReplace ? [] : d.replaces, restarts: d.restarts };
}

/** "instance web-1 (deleted), instance web-2 (replaced: disk destroyed and created again)". */
export function describeDestructive(d: Pick<Destructive, 'deletes' | 'replaces'>): string {
  return [
    ...d.deletes.map((c) => `${c.kind.replace('_', ' ')} ${c.name} (deleted)`),
    ...d.replaces.map((c) => `${c.kind.replace('_', ' ')} ${c.name} (replaced: destroyed and created again)`),
  ].join(', ');
}

/** "instance b (renamed from a: LXD renames stopped instances only)": each restart and why it cannot wait. */
export function describeRestarts(d: Pick<Destructive, 'restarts'>): string {
  return d.restarts
    .map((c) => {
      const move = c.fields.find((f) => f.path === 'target' && f.impact === 'restart');
      const why = c.fields.filter((f) => f.impact === 'restart' && f.note && f !== move).map((f) => f.note!.split(':')[0]);
      const what = [
        c.renamedFrom !== undefined ? `renamed from ${c.renamedFrom}` : '',
        // A move between cluster members: stopped, moved and started (no live migration).
        move ? `moved from ${move.before ?? '?'} to ${move.after ?? '?'}: stop, move, start` : '',
        ...why,
      ]
        .filter(Boolean)
        .join(': ');
      return `${c.kind.replace('_', ' ')} ${c.name}${what ? ` (${what})` : ''}`;
    })
    .join(', ');
}

/** Without a terminal to confirm on, what the flags do not allow is refused before anything is changed. */
export function checkGuards(plan: Plan, opts: GuardOptions): void {
  const u = unallowed(plan, opts);
  if (u.deletes.length + u.replaces.length + u.restarts.length === 0) return;
  const flags = [u.deletes.length ? '--allow-delete' : '', u.replaces.length ? '--allow-replace' : '', u.restarts.length ? '--allow-restart' : '']
    .filter(Boolean)
    .join(' and ');
  const what = [
    u.deletes.length + u.replaces.length > 0 ? `destroys ${describeDestructive(u)}: their disks would be lost` : '',
    u.restarts.length > 0 ? `restarts ${describeRestarts(u)}, and restarts are never implicit` : '',
  ]
    .filter(Boolean)
    .join('; it also ');
  throw new LxplanError('plan.guard', `the plan ${what}`, {
    hint: `run lxapply with ${flags} to allow it${u.restarts.length > 0 ? ' (or restart: auto on the instance)' : ''}; nothing was changed`,
  });
}
