/**
 * The end of an instance's change (ResourceOps.settle, run by the executor after create, update,
 * replace and restart): wait until the instance is ready (wait_for:, when this change started it
 * or runs one of its execs), then run the execs the plan runs, in the manifest's order. Each exec's output goes to the
 * apply log; a failure (a non-zero exit, a timeout, a condition not met) fails the change, and the
 * execs not done keep the record they had, so the next apply runs them again.
 */
import { LxplanError } from '../../errors.js';
import type { LxdClient } from '../../lxd/client.js';
import type { OpEvents, Unsettled } from '../spec.js';
import type { DesiredInstance } from '../types.js';
import { commandText, execPath, type DesiredExec } from './execs.js';
import { outcomeText, outputText, runInInstance } from './execs-run.js';
import { waitForConditions } from './wait-run.js';

function unsettled(e: unknown, paths: string[]): Unsettled {
  const err = (e instanceof Error ? e : new LxplanError('apply.failed', String(e))) as Unsettled;
  err.unsettled = paths;
  return err;
}

/** The execs this change runs: all of them for a new instance; otherwise those whose fields the plan changes (all when not known). */
function execsToRun(d: DesiredInstance, ev: OpEvents, created: boolean): DesiredExec[] {
  const all = d.execs ?? [];
  if (created || ev.changed === undefined) return all;
  return all.filter((e) => ev.changed!.includes(execPath(e.name)));
}

export async function settleInstance(client: LxdClient, d: DesiredInstance, ev: OpEvents, how: { created: boolean; restarted: boolean }): Promise<void> {
  const run = d.state === 'running' ? execsToRun(d, ev, how.created) : [];
  const started = how.created || how.restarted || (ev.changed?.includes('state') ?? false);
  // Execs run when the instance is ready: after a start, and before any exec (an earlier apply may have failed waiting).
  if ((started || run.length > 0) && d.state === 'running' && d.waitFor && d.waitFor.length > 0) {
    try {
      await waitForConditions(client, d.name, d.waitFor, ev);
    } catch (e) {
      throw unsettled(
        e,
        run.map((x) => execPath(x.name)),
      );
    }
  }
  const say = ev.notice ?? ev.progress;
  for (let i = 0; i < run.length; i++) {
    const e = run[i];
    const notDone = run.slice(i).map((x) => execPath(x.name));
    ev.progress(`exec ${e.name}: ${commandText(e.command)}`);
    let o;
    try {
      o = await runInInstance(client, d.name, e);
    } catch (err) {
      throw unsettled(err, notDone);
    }
    const out = outputText(o);
    if (o.exitCode === 0 && !o.timedOut) {
      say(`exec ${e.name}: ${outcomeText(o, e.timeoutS)} after ${(o.ms / 1000).toFixed(1)}s${out ? `\n${out}` : ''}`);
      continue;
    }
    throw unsettled(
      new LxplanError(
        'apply.failed',
        `exec ${e.name} (${commandText(e.command)}) ${o.timedOut ? outcomeText(o, e.timeoutS) : `failed: ${outcomeText(o, e.timeoutS)}`}${out ? `\n${out}` : ''}`,
        {
          hint: 'nothing that depends on the instance was started; the next apply runs the exec again',
        },
      ),
      notDone,
    );
  }
}
