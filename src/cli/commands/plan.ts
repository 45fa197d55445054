import { Args, Flags } from '@oclif/core';
import type { Plan as PlanValue } from '../../planner/plan.js';
import { openSession } from '../../workflow/session.js';
import { BaseCommand, commonFlags } from '../base.js';
import { EXIT } from '../exit-codes.js';
import { renderPlan } from '../views/plan-human.js';

export default class Plan extends BaseCommand {
  static override summary = 'Show what lxapply would change in LXD, and how each change lands (live, restart, replace).';
  static override description = `Reads every *.yaml/*.yml in PATH (default: the current directory), the live LXD daemon and the state file, and prints the plan. Changes nothing in LXD.

Other commands: lxplan validate [PATH] (offline check), lxapply [PATH] (= lxplan apply: make the changes).`;
  static override examples = ['<%= config.bin %> examples/web', '<%= config.bin %> --json examples/web > plan.json'];
  static override enableJsonFlag = true;
  static override args = { path: Args.string({ description: 'manifest directory or file', default: '.' }) };
  static override flags = {
    ...commonFlags,
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when there are no changes, 2 when there are, 1 on error' }),
  };

  async run(): Promise<PlanValue> {
    const { args, flags } = await this.parse(Plan);
    const session = await openSession({ path: args.path, statePath: flags.state, project: flags.project, socket: flags.socket, operation: 'plan' });
    await session.close();
    const plan = session.plan;
    if (!this.jsonEnabled()) this.print(renderPlan(plan, this.out));
    const s = plan.summary;
    if (flags['detailed-exitcode'] && s.add + s.change + s.destroy > 0) process.exitCode = EXIT.CHANGES;
    return plan;
  }
}
