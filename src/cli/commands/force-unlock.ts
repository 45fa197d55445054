import { Args } from '@oclif/core';
import { redactUrl } from '../../state/pg-store.js';
import { defaultStatePath, forceUnlockState } from '../../workflow/session.js';
import { BaseCommand, commonFlags } from '../base.js';

export default class ForceUnlock extends BaseCommand {
  static override summary = 'Remove the lock a dead lxplan run left on a state file.';
  static override description =
    'ID is the lock ID the "locked" error names. Refused when the ID does not match, or when the run holding the lock still runs on this host.';
  static override examples = [
    '<%= config.bin %> force-unlock 3f9c2a1b --state infra/lxplan.state.json',
    '<%= config.bin %> force-unlock 3f9c2a1b --state lxd:web --remote prod',
  ];
  static override args = {
    id: Args.string({ description: 'the lock ID, as the "locked" error gives it ("none" for a lock without holder information)', required: true }),
    path: Args.string({ description: 'manifest directory (to find its state file)', default: '.' }),
  };
  static override flags = { state: commonFlags.state, remote: commonFlags.remote, socket: commonFlags.socket };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ForceUnlock);
    const statePath = flags.state ?? (await defaultStatePath(args.path));
    const info = await forceUnlockState(statePath, args.id, { remote: flags.remote, socket: flags.socket });
    const label = redactUrl(statePath);
    this.print(
      info
        ? `Removed the lock of ${label} (pid ${info.pid} on ${info.host}, ${info.operation} since ${info.since}).\n`
        : `Removed the lock of ${label} (it had no holder information and was no longer refreshed).\n`,
    );
  }
}
