/**
 * A directory whose files name several daemons is planned and applied once per daemon: each plan
 * is rendered as usual under a heading naming its daemon, then one line adds them up.
 *
 *   == remote prod ==
 *
 *   lxplan will make these changes:
 *   ...
 *   Plan: 1 to add, 0 to change, 0 to destroy.
 *
 *   == remote staging ==
 *
 *   No changes. LXD matches the manifests.
 *
 *   On 2 daemons: 1 to add, 0 to change, 0 to destroy.
 */
import type { Plan } from '../../planner/plan.js';

/** The heading above one daemon's plan ("== remote prod ==", a blank line before all but the first). */
export function daemonHeading(plan: Plan, index: number): string {
  return `${index > 0 ? '\n' : ''}== remote ${plan.remote ?? 'local'} ==\n\n`;
}

/** The line under the plans of several daemons: their summaries added up. */
export function totalLine(plans: Plan[]): string {
  const sum = (k: 'add' | 'change' | 'destroy') => plans.reduce((n, p) => n + p.summary[k], 0);
  return `On ${plans.length} daemons: ${sum('add')} to add, ${sum('change')} to change, ${sum('destroy')} to destroy.`;
}

/** Each line of `text` begun with `prefix` (the progress of one daemon among several: "[prod] "). */
export function prefixLines(text: string, prefix: string): string {
  return prefix ? text.replace(/^(?=.)/gm, prefix) : text;
}
