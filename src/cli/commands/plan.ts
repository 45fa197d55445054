import { Args, Flags } from '@oclif/core';
import { planJson } from '../views/plan-json.js';
import { isChange } from '../../planner/plan.js';
import { refreshOnly } from '../../workflow/refresh.js';
import { savePlans } from '../../workflow/saved-plan.js';
import { openSessions } from '../../workflow/session.js';
import { lxplanVersion } from '../../workflow/version.js';
import { BaseCommand, commonFlags, planFlags } from '../base.js';
import { EXIT } from '../exit-codes.js';
import { renderPlan } from '../views/plan-human.js';
import { codeSpan, COMMENT_LIMIT, renderPlanMarkdown, renderRefreshMarkdown } from '../views/plan-markdown.js';
import { daemonHeading, totalLine } from '../views/plan-set.js';

export default class Plan extends BaseCommand {
  static override summary = 'Show what lxapply would change in LXD, and how each change lands (live, restart, replace).';
  static override description = `Reads every *.yaml/*.yml in PATH (default: the current directory), the live LXD daemon and the state file, and prints the plan. Changes nothing in LXD.

Other commands: lxplan validate [PATH] (offline check), lxapply [PATH] (= lxplan apply: make the changes), lxplan import, lxplan export.`;
  static override examples = [
    '<%= config.bin %> examples/web',
    '<%= config.bin %> -o plan.json examples/web     # save it; lxapply plan.json applies exactly this plan',
    '<%= config.bin %> --format markdown --detailed-exitcode examples/web   # for a pull-request comment',
    '<%= config.bin %> --refresh-only examples/web   # record what LXD has into the state',
  ];
  static override enableJsonFlag = true;
  static override args = { path: Args.string({ description: 'manifest directory or file', default: '.' }) };
  static override flags = {
    ...commonFlags,
    ...planFlags,
    out: Flags.string({ char: 'o', description: 'also save the plan to FILE, for lxapply FILE', helpValue: 'FILE' }),
    format: Flags.string({ description: 'how to print the plan', options: ['human', 'markdown'], default: 'human' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when there are no changes, 2 when there are, 1 on error' }),
    'refresh-only': Flags.boolean({
      description: 'record what LXD has now into the state (drift becomes the new record); LXD is not changed',
      exclusive: ['out', 'destroy', 'target'],
    }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Plan);
    const connectOpts = this.connectOptions(flags);
    if (flags['refresh-only']) {
      const r = await refreshOnly(args.path, connectOpts);
      const drifted = r.changes.filter((c) => c.drift);
      const plan = { formatVersion: 1 as const, changes: r.changes, summary: { add: 0, change: 0, destroy: 0 } };
      if (this.jsonEnabled()) return planJson(plan, { lxplanVersion: lxplanVersion() });
      const outcome = `State refreshed from LXD: ${r.recorded} object(s) recorded, ${drifted.length} with drift; LXD was not changed.`;
      if (flags.format === 'markdown') this.print(renderRefreshMarkdown(plan, outcome));
      else {
        if (r.changes.length > 0) this.print(renderPlan(plan, this.out).replace(/\n[^\n]*No changes[^\n]*\n$/, '\n'));
        this.print(`${outcome}\n`);
      }
      if (flags['detailed-exitcode'] && drifted.length > 0) process.exitCode = EXIT.CHANGES;
      return undefined;
    }
    const sessions = await openSessions({ path: args.path, ...connectOpts, operation: 'plan', planOptions: this.planOptions(flags) });
    await Promise.all(sessions.map((s) => s.close()));
    const plans = sessions.map((s) => s.plan);
    if (flags.out) await savePlans(plans, flags.out);
    if (flags['detailed-exitcode'] && plans.some((p) => p.changes.some(isChange))) process.exitCode = EXIT.CHANGES;
    if (flags.out)
      this.note(`Saved the plan${plans.length > 1 ? `s of ${plans.length} daemons` : ''} to ${flags.out}: lxapply ${flags.out} applies exactly this plan.\n`);
    const meta = { lxplanVersion: lxplanVersion() };
    if (plans.length > 1) {
      // A directory spanning several daemons: each daemon's plan, under its name.
      if (this.jsonEnabled()) return { daemons: plans.map((p) => ({ remote: p.remote ?? 'local', ...planJson(p, meta) })) };
      if (flags.format === 'markdown')
        // One comment for all: each daemon's part gets its share of what a comment holds.
        this.print(
          plans
            .map((p) => `### Remote ${codeSpan(p.remote ?? 'local')}\n\n${renderPlanMarkdown(p, Math.floor((COMMENT_LIMIT - 200) / plans.length))}`)
            .join('\n') + `\n**${totalLine(plans)}**\n`,
        );
      else this.print(plans.map((p, i) => daemonHeading(p, i) + renderPlan(p, this.out)).join('') + `\n${this.out.bold(totalLine(plans))}\n`);
      return undefined;
    }
    const [plan] = plans;
    if (this.jsonEnabled()) return planJson(plan, meta);
    this.print(flags.format === 'markdown' ? renderPlanMarkdown(plan) : renderPlan(plan, this.out));
    return undefined;
  }
}
