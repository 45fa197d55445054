import { Flags } from '@oclif/core';
import { migrateState } from '../../../state/migrate.js';
import { redactUrl } from '../../../state/pg-store.js';
import { withStateStore } from '../../../workflow/session.js';
import { BaseCommand, commonFlags } from '../../base.js';

export default class StateMigrate extends BaseCommand {
  static override summary = 'Move a state to another backend, keeping its lineage and serial.';
  static override description = `SPEC is what --state takes: a file path, lxd:NAME (kept on the daemon) or postgres://USER@HOST:PORT/DB?workspace=NAME.
Both states are locked while the state is copied. Refused, with nothing changed, when the destination holds a state of another lineage or a newer serial of the same one.`;
  static override examples = [
    '<%= config.bin %> state migrate --from lxplan.state.json --to lxd:web',
    "<%= config.bin %> state migrate --from lxd:web --to 'postgres://lxplan@db:5432/infra?workspace=web'",
  ];
  static override flags = {
    from: Flags.string({ description: 'the state to copy', required: true }),
    to: Flags.string({ description: 'where to copy it (empty, or an older copy of the same state)', required: true }),
    remote: commonFlags.remote,
    socket: commonFlags.socket,
    'from-remote': Flags.string({ description: 'the remote daemon of an lxd:NAME --from, when not --remote' }),
    'to-remote': Flags.string({ description: 'the remote daemon of an lxd:NAME --to, when not --remote' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateMigrate);
    const side = (remote: string | undefined) => ({ socket: flags.socket, remote: remote ?? flags.remote });
    const r = await withStateStore(flags.from, side(flags['from-remote']), (from) =>
      withStateStore(flags.to, side(flags['to-remote']), (to) => migrateState(from, to)),
    );
    const [from, to] = [redactUrl(flags.from), redactUrl(flags.to)];
    this.print(
      r.unchanged
        ? `${to} already holds this state (lineage ${r.lineage}, serial ${r.serial}): nothing to do.\n`
        : `Migrated the state from ${from} to ${to} (lineage ${r.lineage}, serial ${r.serial}${r.replacedSerial !== undefined ? `; it replaced serial ${r.replacedSerial} there` : ''}).\n` +
            `Point lxplan at it with --state ${to} (or LXPLAN_STATE); ${from} is left as it was.\n`,
    );
  }
}
