/**
 * A profile change reaches every instance using it. When it changes keys that need a restart on
 * a running instance lxplan manages, that instance is restarted by this apply (`--allow-restart`,
 * or `restart: auto` on the instance) or the restart is recorded as pending in its state entry,
 * exactly as for a change of the instance's own keys: the next plans keep saying it is pending
 * until it restarts. (Instances lxplan does not manage are only shown in the blast radius.)
 */
import type { PlanOptions, ResourceChange } from '../../planner/plan.js';
import { instanceSpec } from '../instance/spec.js';
import { PENDING_RESTART, type PlanContext } from '../spec.js';
import { addressOf } from '../types.js';

/** Run by the planner through the profile spec's afterPlan hook; changes `changes` in place and returns them. */
export function carryProfileRestarts(changes: ResourceChange[], ctx: PlanContext, options: PlanOptions): ResourceChange[] {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const profile of changes) {
    if (profile.action !== 'update') continue;
    for (const user of profile.usedBy ?? []) {
      if (!user.managed || user.impact !== 'restart') continue;
      const inst = byAddress.get(addressOf('instance', user.name));
      if (!inst || !inst.desired || inst.desired.kind !== 'instance' || (inst.action !== 'noop' && inst.action !== 'update')) continue;
      const live = ctx.live.instances[inst.renamedFrom ?? inst.name];
      if (!live || !instanceSpec.isRunning?.(live, inst.desired)) continue;
      const keys = user.fields.filter((f) => f.impact === 'restart').map((f) => f.path.replace(/^config\./, ''));
      const why = `profile ${profile.name} changes ${keys.join(', ')}`;
      if (options.allowRestart || inst.desired.restart === 'auto') {
        inst.restart = 'now';
        user.restart = 'now';
        if (inst.action === 'noop') Object.assign(inst, { action: 'update', impact: 'restart', reason: `restarts: ${why}` });
        continue;
      }
      // A change that restarts it at once anyway (a rename) takes the profile's keys with it, after the profile.
      // (The instance's own line says so.)
      if (inst.restart === 'required') {
        if (!inst.dependsOn.includes(profile.address)) inst.dependsOn.push(profile.address);
        continue;
      }
      // Pending: recorded once the profile is updated (this change waits for it), shown by the next plans.
      const attrs = { ...(inst.stateAttributes ?? {}) };
      const pending = new Set((attrs[PENDING_RESTART] ?? '').split(',').filter(Boolean));
      for (const k of keys) pending.add(k);
      attrs[PENDING_RESTART] = [...pending].join(',');
      inst.stateAttributes = attrs;
      inst.stateOp = 'add';
      if (inst.action === 'update') inst.restart = 'pending';
      if (!inst.dependsOn.includes(profile.address)) inst.dependsOn.push(profile.address);
      user.restart = 'pending';
    }
  }
  return changes;
}
