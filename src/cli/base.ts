/** What every lxplan command shares: common flags, error rendering, exit codes. */
import { Command, Flags } from '@oclif/core';
import { renderError } from './views/errors.js';
import { makeChalk } from './views/style.js';
import { EXIT } from './exit-codes.js';

export const commonFlags = {
  state: Flags.string({ description: 'state file (default: lxplan.state.json next to the manifests)', helpValue: 'FILE' }),
  project: Flags.string({ description: 'LXD project to work in', default: 'default', env: 'LXPLAN_PROJECT', helpValue: 'NAME' }),
  socket: Flags.string({ description: 'LXD unix socket (default: $LXD_SOCKET, $LXD_DIR/unix.socket, /var/lib/lxd/unix.socket, the snap\'s)', helpValue: 'PATH' }),
};

export abstract class BaseCommand extends Command {
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
    process.stderr.write(renderError(error, this.err));
    return this.exit(EXIT.ERROR);
  }
}
