import { Args, Flags } from '@oclif/core';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { LxplanError } from '../../errors.js';
import { apply, type ApplyResult } from '../../executor/index.js';
import type { LxdClient } from '../../lxd/client.js';
import { isChange, type Plan } from '../../planner/plan.js';
import type { StateManager } from '../../state/index.js';
import { checkGuards, describeDestructive, describeRestarts, unallowed } from '../../workflow/guards.js';
import { openSavedPlans } from '../../workflow/saved-plan.js';
import { describeRestore, openRestore } from '../../workflow/restore.js';
import { openSessions, type ConnectOptions } from '../../workflow/session.js';
import { BaseCommand, commonFlags, planFlags } from '../base.js';
import { EXIT } from '../exit-codes.js';
import { planDaemonWord, renderPlan } from '../views/plan-human.js';
import { daemonHeading, prefixLines, totalLine } from '../views/plan-set.js';
import { countDone, ProgressView } from '../views/progress.js';

interface Work {
  plan: Plan;
  client: LxdClient;
  state: StateManager;
  close(): Promise<void>;
}

/** A path to a saved plan rather than to manifests: a .json file. */
async function isPlanFile(p: string): Promise<boolean> {
  return p.endsWith('.json') && Boolean((await stat(p).catch(() => undefined))?.isFile());
}

export default class Apply extends BaseCommand {
  static override summary = 'Make LXD match the manifests (or apply a saved plan): plan, confirm, apply.';
  static override description = `Installed as its own command too: lxapply [PATH] is lxplan apply [PATH].
Shows the plan, asks for confirmation on a terminal (or takes --auto-approve), then makes the changes in dependency order, independent ones in parallel, saving the state after each.
With a saved plan (lxplan -o plan.json), applies exactly that plan: refused when the state changed since, and each object LXD changed since fails with "changed since the plan" while the rest apply.
Deleting or replacing an instance (its disk is lost) needs --allow-delete / --allow-replace, or a confirmation on a terminal that names them.`;
  static override examples = [
    'lxapply examples/web',
    'lxapply --auto-approve examples/web',
    'lxapply plan.json',
    'lxapply --destroy --allow-delete examples/web',
    'lxapply --restore web-1/before-upgrade examples/web',
  ];
  static override args = { path: Args.string({ description: 'manifest directory or file, or a saved plan (.json)', default: '.' }) };
  static override flags = {
    ...commonFlags,
    ...planFlags,
    'auto-approve': Flags.boolean({ description: 'apply without asking (for CI)' }),
    'allow-replace': Flags.boolean({ description: 'allow destroying and recreating instances (their disks are lost)' }),
    'allow-delete': Flags.boolean({ description: 'allow deleting instances (their disks are lost)' }),
    parallelism: Flags.integer({ description: 'changes made at once', default: 10, min: 1 }),
    restore: Flags.string({
      description: 'roll an instance lxplan manages back to one of its snapshots, INSTANCE/SNAPSHOT (instead of applying the manifests)',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    if (flags.restore !== undefined) {
      if (!flags['auto-approve'] && !interactive) {
        throw new LxplanError('usage', 'lxapply --restore needs a terminal to ask for confirmation', { hint: 'pass --auto-approve to restore without asking' });
      }
      return this.restore(flags.restore, args.path, this.connectOptions(flags), Boolean(flags['auto-approve']));
    }
    const saved = await isPlanFile(args.path);
    if (!saved && !flags['auto-approve'] && !interactive) {
      throw new LxplanError('usage', 'lxapply needs a terminal to ask for confirmation', { hint: 'pass --auto-approve to apply without asking (as in CI)' });
    }
    const connectOpts = this.connectOptions(flags);
    if (saved && (flags.target || flags.destroy || flags['allow-restart'])) {
      throw new LxplanError('usage', '--target, --destroy and --allow-restart shape a plan: give them to lxplan -o when saving it');
    }
    const works: Work[] = saved
      ? await openSavedPlans(args.path, connectOpts)
      : await openSessions({ path: args.path, ...connectOpts, operation: 'apply', planOptions: this.planOptions(flags) });
    const several = works.length > 1;
    try {
      works.forEach((w, i) => this.print((several ? daemonHeading(w.plan, i) : '') + renderPlan(w.plan, this.out)));
      if (several) this.print(`\n${this.out.bold(totalLine(works.map((w) => w.plan)))}\n`);
      const todo = works.filter((w) => w.plan.changes.some((c) => isChange(c) || c.stateOp !== 'keep'));
      if (todo.length === 0) return;
      const guards = { allowDelete: flags['allow-delete'], allowReplace: flags['allow-replace'] };
      const askable = interactive && !flags['auto-approve'];
      if (!askable) for (const w of todo) checkGuards(w.plan, guards);
      if (askable && todo.some((w) => w.plan.changes.some(isChange))) {
        const risky = todo.map((w) => ({ w, r: unallowed(w.plan, guards) }));
        const on = (w: Work) => (several ? ` on ${w.plan.remote ?? 'local'}` : '');
        const destroying = risky
          .filter(({ r }) => r.deletes.length + r.replaces.length > 0)
          .map(({ w, r }) => `\nThis DESTROYS ${describeDestructive(r)}${on(w)}: their disks are lost.`)
          .join('');
        const restarting = risky
          .filter(({ r }) => r.restarts.length > 0)
          .map(({ w, r }) => `\nThis RESTARTS ${describeRestarts(r)}${on(w)}.`)
          .join('');
        if (!(await this.confirm(destroying + restarting))) {
          this.print('Apply cancelled; nothing was changed.\n');
          return;
        }
      }
      // Each daemon applies its own plan, side by side; --parallelism is per daemon.
      const results = await this.applyWithSignals(todo, flags.parallelism);
      this.report(results);
    } finally {
      await Promise.all(works.map((w) => w.close()));
    }
  }

  /** --restore: show what goes back, confirm (or --auto-approve), restore. */
  private async restore(target: string, manifestPath: string, connectOpts: ConnectOptions, autoApprove: boolean): Promise<void> {
    const session = await openRestore({ path: manifestPath, target, ...connectOpts });
    try {
      this.print(describeRestore(session.preview));
      if (!autoApprove) {
        const answer = await this.ask(
          `\nRestore ${target}? Only "yes" is accepted: `,
          this.out.red.bold(`This DESTROYS everything written to instance ${session.preview.instance} since ${session.preview.createdAt}.`),
        );
        if (!answer) {
          this.print('Restore cancelled; nothing was changed.\n');
          return;
        }
      }
      await session.restore();
      this.print(`\n${this.out.green.bold('Restore complete:')} instance ${session.preview.instance} is back to snapshot ${session.preview.snapshot}.\n`);
    } finally {
      await session.close();
    }
  }

  private async ask(question: string, warning: string): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await rl.question(`${warning}${question}`)).trim() === 'yes';
    } finally {
      rl.close();
    }
  }

  private async confirm(warning: string): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question(`${warning ? this.out.red.bold(warning) : ''}\nApply these changes? Only "yes" is accepted: `);
      return answer.trim() === 'yes';
    } finally {
      rl.close();
    }
  }

  /** First SIGINT/SIGTERM: start nothing new, finish and record what runs. Second: exit at once. */
  private async applyWithSignals(works: Work[], parallelism: number): Promise<{ work: Work; result: ApplyResult }[]> {
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
    const several = works.length > 1;
    const views = works.map((w) => {
      const byAddress = new Map(w.plan.changes.map((c) => [c.address, c]));
      // Several daemons at once: each line says whose it is, and no live block (they would overwrite each other).
      const prefix = several ? `[${w.plan.remote ?? 'local'}] ` : '';
      return new ProgressView({
        write: (t) => this.print(prefixLines(t, prefix)),
        live: Boolean(process.stdout.isTTY) && !several,
        chalk: this.out,
        change: (a) => byAddress.get(a),
      });
    });
    try {
      this.print('\n');
      return await Promise.all(
        works.map(async (work, i) => ({
          work,
          result: await apply(work.plan, {
            client: work.client,
            state: work.state,
            concurrency: parallelism,
            signal: controller.signal,
            sink: views[i].sink,
          }),
        })),
      );
    } finally {
      for (const v of views) v.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  /** The closing line: each number is a count of the lines above it (./views/progress.ts countDone); with several daemons, one line each. */
  private report(results: { work: Work; result: ApplyResult }[]): void {
    const several = results.length > 1;
    const errors: LxplanError[] = [];
    const incomplete: string[] = [];
    for (const { work, result: r } of results) {
      const byAddress = new Map(work.plan.changes.map((c) => [c.address, c]));
      const done = countDone(
        r.succeeded.flatMap((a) => byAddress.get(a) ?? []),
        planDaemonWord(work.plan),
      );
      const on = several ? ` on ${work.plan.remote ?? 'local'}` : '';
      if (r.failed.length === 0 && r.skipped.length === 0 && r.notStarted.length === 0) {
        this.print(`\n${this.out.green.bold(`Apply complete${on}:`)} ${done}.\n`);
        continue;
      }
      const parts = [done, `${r.failed.length} failed`];
      if (r.skipped.length) parts.push(`${r.skipped.length} skipped because something they need failed`);
      if (r.notStarted.length) parts.push(`${r.notStarted.length} not started (interrupted)`);
      incomplete.push(`${parts.join(', ')}${on}`);
      errors.push(...r.failed.map((f) => new LxplanError('apply.failed', `${f.address.replace('.', ' ')}${on}: ${f.error.message}`)));
    }
    if (incomplete.length === 0) return;
    throw new LxplanError('apply.failed', `apply incomplete: ${incomplete.join('; ')}`, {
      hint: 'the state file records what was done; fix the cause and run lxapply again',
      more: errors,
    });
  }
}
