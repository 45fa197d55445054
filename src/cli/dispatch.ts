/**
 * What bin/lxplan.js runs: `lxplan [PATH]` plans; `lxplan validate|apply|import|export|force-unlock
 * ...` run those commands; `lxplan help [COMMAND]` lists the commands or shows one's help. A first
 * word that is neither a command nor an existing path, but looks like a typo of a command, is a
 * usage error with a did-you-mean, not the path of a plan.
 */
import { existsSync } from 'node:fs';
import { LxplanError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { unknownCommand } from './usage.js';
import { errorDocument, renderError } from './views/errors.js';
import { makeChalk } from './views/style.js';

export const COMMANDS = ['plan', 'apply', 'validate', 'import', 'export', 'force-unlock', 'remote', 'state'] as const;

/** The oclif argv for lxplan's own argv; throws a usage error for an unknown command. */
export function lxplanArgs(argv: string[], exists: (p: string) => boolean = existsSync): string[] {
  const commands: readonly string[] = COMMANDS;
  const [first, second] = argv;
  if (first === 'help') {
    if (second === undefined) return ['--help'];
    if (!commands.includes(second)) {
      throw unknownCommand(second, commands, false) ?? new LxplanError('usage', `unknown command ${second}: the commands are ${commands.join(', ')}`);
    }
    return [second, '--help'];
  }
  if (first !== undefined && commands.includes(first)) return argv;
  if (first === '--version' && argv.length === 1) return argv;
  if (first !== undefined && !first.startsWith('-') && !exists(first)) {
    const typo = unknownCommand(first, commands);
    if (typo) throw typo;
  }
  return ['plan', ...argv];
}

/** A usage error found before oclif runs: printed as every command prints errors, exit 1. */
export function failUsage(err: unknown, argv: string[]): never {
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(errorDocument(err), null, 2)}\n`);
  process.stderr.write(renderError(err, makeChalk(process.stderr)));
  process.exit(EXIT.ERROR);
}
