/** Destructive changes need to be asked for by name: nothing destroys a container by surprise. */
import { LxplanError } from '../errors.js';
import type { Plan } from '../planner/plan.js';

export interface GuardOptions {
  allowReplace: boolean;
}

export function checkGuards(plan: Plan, opts: GuardOptions): void {
  const replaced = plan.changes.filter((c) => c.action === 'replace' && c.kind === 'instance');
  if (replaced.length > 0 && !opts.allowReplace) {
    const names = replaced.map((c) => c.name).join(', ');
    throw new LxplanError('plan.guard',
      `the plan replaces ${replaced.length === 1 ? 'instance' : 'instances'} ${names}: ${replaced.length === 1 ? 'its' : 'their'} disk would be destroyed and created again`,
      { hint: 'run lxapply with --allow-replace to allow it; nothing was changed' });
  }
}
