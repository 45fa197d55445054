/** What every lxplan command shares: common flags, error rendering, exit codes. */
import { Command, Flags } from '@oclif/core';
import type { PlanOptions } from '../planner/plan.js';
import { errorDocument, renderError } from './views/errors.js';
import { makeChalk } from './views/style.js';
import { EXIT } from './exit-codes.js';

export const commonFlags = {
  state: Flags.string({ description: 'state file (default: lxplan.state.json next to the manifests)', helpValue: 'FILE' }),
  project: Flags.string({ description: 'LXD project to work in [default: the manifests\' project: key, else default]; differing from project: is an error', env: 'LXPLAN_PROJECT', helpValue: 'NAME' }),
  socket: Flags.string({ description: 'LXD unix socket (default: $LXD_SOCKET, $LXD_DIR/unix.socket, /var/lib/lxd/unix.socket, the snap\'s)', helpValue: 'PATH' }),
};

/** Flags that shape a plan: given to lxplan (to see it) and lxapply (to do it) alike. */
export const planFlags = {
  target: Flags.string({ description: 'only this object and what it depends on (KIND.NAME or NAME); repeatable', multiple: true, helpValue: 'NAME' }),
  'allow-restart': Flags.boolean({ description: 'restart running instances whose changes need a restart to take effect (otherwise the restart stays pending)' }),
  destroy: Flags.boolean({ description: 'plan the deletion of everything lxplan manages (in reverse dependency order)' }),
};

export abstract class BaseCommand extends Command {
  protected planOptions(flags: { target?: string[]; 'allow-restart'?: boolean; destroy?: boolean }): PlanOptions {
    return {
      ...(flags['allow-restart'] ? { allowRestart: true } : {}),
      ...(flags.target && flags.target.length > 0 ? { targets: flags.target } : {}),
      ...(flags.destroy ? { destroy: true } : {}),
    };
  }

  protected out = makeChalk(process.stdout);
  protected err = makeChalk(process.stderr);

  protected print(text: string): void {
    process.stdout.write(text);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits and parse errors keep oclif's handling.
    if (error.oclif?.exit !== undefined || error.constructor?.name?.endsWith('ExitError')) throw error;
    if ((error as { code?: string }).code === 'EEXIT') throw error;
    if (error.name !== 'LxplanError' && /Unexpected argument|Nonexistent flag|Expected --|Missing required/.test(error.message)) throw error;
    // With --json, stdout stays JSON (the errors as a document); people still read stderr.
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
    process.stderr.write(renderError(error, this.err));
    return this.exit(EXIT.ERROR);
  }
}
