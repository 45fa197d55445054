/** What every lxplan command shares: common flags, error rendering, exit codes. */
import path from 'node:path';
import { Command, Flags, type Interfaces } from '@oclif/core';
import type { PlanOptions } from '../planner/plan.js';
import type { ConnectOptions } from '../workflow/session.js';
import { errorDocument, renderError } from './views/errors.js';
import { makeChalk } from './views/style.js';
import { EXIT } from './exit-codes.js';
import { usageError, type CommandUsage, type OptionDef } from './usage.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Outputs = { [name: string]: any };

/** How a person calls the command: lxapply runs as `lxplan apply` (bin/lxapply.js). */
export function commandName(id: string | undefined): string {
  if (id === 'plan' || id === undefined) return 'lxplan';
  if (id === 'apply' && path.basename(process.argv[1] ?? '').startsWith('lxapply')) return 'lxapply';
  return `lxplan ${id}`;
}

export const commonFlags = {
  state: Flags.string({
    description:
      "where the state is [default: the manifests' backend:, else lxplan.state.json next to them]: a file, lxd:NAME (kept on the daemon itself, shared by every runner that reaches it) or postgres://...?workspace=W; --backend is the same",
    env: 'LXPLAN_STATE',
    aliases: ['backend'],
    helpValue: 'FILE',
  }),
  project: Flags.string({
    description: "LXD project to work in [default: the manifests' project: key, else default]; differing from project: is an error",
    env: 'LXPLAN_PROJECT',
    helpValue: 'NAME',
  }),
  remote: Flags.string({
    description: 'a remote LXD or Incus daemon over HTTPS: a name from `lxplan remote add` or the lxc/incus CLI config ("local": the unix socket)',
    env: 'LXPLAN_REMOTE',
    helpValue: 'NAME',
  }),
  socket: Flags.string({
    description:
      "LXD or Incus unix socket (default: $LXD_SOCKET, $LXD_DIR/unix.socket, $INCUS_SOCKET, $INCUS_DIR/unix.socket, then LXD's or Incus's packaged socket; both there: an error)",
    helpValue: 'PATH',
  }),
};

/** Flags that shape a plan: given to lxplan (to see it) and lxapply (to do it) alike. */
export const planFlags = {
  target: Flags.string({ description: 'only this object and what it depends on (KIND.NAME or NAME); repeatable', multiple: true, helpValue: 'NAME' }),
  'allow-restart': Flags.boolean({
    description: 'restart running instances whose changes need a restart to take effect (otherwise the restart stays pending)',
  }),
  destroy: Flags.boolean({ description: 'plan the deletion of everything lxplan manages (in reverse dependency order)' }),
};

export abstract class BaseCommand extends Command {
  /** The common flags as the session takes them, with notices (a dead run's lock taken over) going to stderr. */
  protected connectOptions(flags: { state?: string; project?: string; socket?: string; remote?: string }): ConnectOptions {
    return { statePath: flags.state, project: flags.project, socket: flags.socket, remote: flags.remote, notice: (text) => this.note(text) };
  }

  protected planOptions(flags: { target?: string[]; 'allow-restart'?: boolean; destroy?: boolean }): PlanOptions {
    return {
      ...(flags['allow-restart'] ? { allowRestart: true } : {}),
      ...(flags.target && flags.target.length > 0 ? { targets: flags.target } : {}),
      ...(flags.destroy ? { destroy: true } : {}),
    };
  }

  protected out = makeChalk(process.stdout);
  protected err = makeChalk(process.stderr);

  /** What the command produces (the plan, the exported manifest, the apply's progress): stdout. */
  protected print(text: string): void {
    process.stdout.write(text);
  }

  /** A note on the side (a file was saved, written, imported): stderr, so stdout stays the document. */
  protected note(text: string): void {
    process.stderr.write(text);
  }

  /**
   * Every command parses here: whatever oclif's parser throws (unknown flag, bad value, missing
   * or extra argument) becomes a one-line usage error with a did-you-mean, exiting 1 (./usage.ts).
   */
  protected override async parse<F extends Outputs, B extends Outputs, A extends Outputs>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv);
    } catch (e) {
      throw usageError(e, this.usage());
    }
  }

  private usage(): CommandUsage {
    const ctor = this.ctor as unknown as {
      flags?: Record<string, OptionDef>;
      args?: Record<string, OptionDef & { required?: boolean }>;
      enableJsonFlag?: boolean;
    };
    const flags: Record<string, OptionDef> = { ...(ctor.flags ?? {}), ...(ctor.enableJsonFlag ? { json: {} } : {}), help: {} };
    const otherFlags: Record<string, string[]> = {};
    for (const c of this.config.commands) {
      if (c.id === this.id) continue;
      otherFlags[c.id === 'apply' ? 'lxapply' : commandName(c.id)] = Object.keys(c.flags ?? {});
    }
    return { bin: commandName(this.id), flags, args: ctor.args ?? {}, otherFlags };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- oclif's catch() is async: every throw below must stay a rejection
  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits (this.exit, --help, --version) keep oclif's handling.
    if (error.constructor?.name?.endsWith('ExitError') || (error as { code?: string }).code === 'EEXIT') throw error;
    // With --json, stdout stays JSON (the errors as a document); people still read stderr.
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
    process.stderr.write(renderError(error, this.err));
    return this.exit(EXIT.ERROR);
  }
}
