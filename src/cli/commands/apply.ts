import { Args, Flags } from '@oclif/core';
import { createInterface } from 'node:readline/promises';
import { LxplanError } from '../../errors.js';
import { apply, type ApplyResult } from '../../executor/index.js';
import { isChange } from '../../planner/plan.js';
import { checkGuards } from '../../workflow/guards.js';
import { openSession } from '../../workflow/session.js';
import { BaseCommand, commonFlags } from '../base.js';
import { EXIT } from '../exit-codes.js';
import { renderPlan } from '../views/plan-human.js';
import { renderEvent } from '../views/progress.js';

export default class Apply extends BaseCommand {
  static override summary = 'Make LXD match the manifests: plan, confirm, apply.';
  static override description = `Installed as its own command too: lxapply [PATH] is lxplan apply [PATH].
Shows the plan, asks for confirmation on a terminal (or takes --auto-approve), then makes the changes in dependency order, independent ones in parallel, saving the state after each.`;
  static override examples = ['lxapply examples/web', 'lxapply --auto-approve examples/web'];
  static override args = { path: Args.string({ description: 'manifest directory or file', default: '.' }) };
  static override flags = {
    ...commonFlags,
    'auto-approve': Flags.boolean({ description: 'apply without asking (for CI)' }),
    'allow-replace': Flags.boolean({ description: 'allow changes that destroy and recreate an instance (its disk is lost)' }),
    parallelism: Flags.integer({ description: 'changes made at once', default: 10, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    if (!flags['auto-approve'] && !interactive) {
      throw new LxplanError('usage', 'lxapply needs a terminal to ask for confirmation', { hint: 'pass --auto-approve to apply without asking (as in CI)' });
    }
    const session = await openSession({ path: args.path, statePath: flags.state, project: flags.project, socket: flags.socket, operation: 'apply' });
    try {
      const { plan } = session;
      this.print(renderPlan(plan, this.out));
      const work = plan.changes.filter((c) => isChange(c) || c.stateOp !== 'keep');
      if (work.length === 0) return;
      checkGuards(plan, { allowReplace: flags['allow-replace'] });
      if (plan.changes.some(isChange) && !flags['auto-approve'] && !(await this.confirm())) {
        this.print('Apply cancelled; nothing was changed.\n');
        return;
      }
      const result = await this.applyWithSignals(session, flags.parallelism);
      this.report(result);
    } finally {
      await session.close();
    }
  }

  private async confirm(): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question('\nApply these changes? Only "yes" is accepted: ');
      return answer.trim() === 'yes';
    } finally {
      rl.close();
    }
  }

  /** First SIGINT/SIGTERM: start nothing new, finish and record what runs. Second: exit at once. */
  private async applyWithSignals(session: Awaited<ReturnType<typeof openSession>>, parallelism: number): Promise<ApplyResult> {
    const controller = new AbortController();
    let interrupted = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupted++;
      if (interrupted > 1) process.exit(EXIT.INTERRUPTED);
      process.stderr.write(`\n${sig}: starting nothing new; waiting for the changes in progress to finish (again to exit at once)\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      this.print('\n');
      return await apply(session.plan, {
        client: session.client,
        state: session.state,
        concurrency: parallelism,
        signal: controller.signal,
        sink: (e) => this.print(renderEvent(e, this.out)),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  private report(r: ApplyResult): void {
    const done = r.succeeded.length;
    if (r.failed.length === 0 && r.skipped.length === 0 && r.notStarted.length === 0) {
      this.print(`\n${this.out.green.bold('Apply complete:')} ${done} change(s) made.\n`);
      return;
    }
    const parts = [`${done} change(s) made`, `${r.failed.length} failed`];
    if (r.skipped.length) parts.push(`${r.skipped.length} skipped because something they need failed`);
    if (r.notStarted.length) parts.push(`${r.notStarted.length} not started (interrupted)`);
    throw new LxplanError('apply.failed', `apply incomplete: ${parts.join(', ')}`, {
      hint: 'the state file records what was done; fix the cause and run lxapply again',
      more: r.failed.map((f) => new LxplanError('apply.failed', `${f.address.replace('.', ' ')}: ${f.error.message}`)),
    });
  }
}
