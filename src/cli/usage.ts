/**
 * Command-line usage errors as one-line LxplanErrors (code `usage`, exit 1) with a did-you-mean:
 * a misspelt flag, a flag value or argument not among its options (import's KIND, export's
 * --kind, --format), a missing or extra argument, an unknown command.
 *
 * oclif 4's parser throws errors of its own, which its handler prints over several lines, with
 * the help (or, for lxapply, "Command DIR not found." and a stack trace) after them, and exits 2:
 * the code `--detailed-exitcode` gives to "the plan has changes". Every command parses through
 * BaseCommand.parse, which hands whatever the parser throws to `usageError`; bin/lxplan.js asks
 * `unknownCommand` before it routes a word to the plan command.
 */
import { LxplanError } from '../errors.js';
import { closestName } from '../manifest/hints.js';

/** What usageError needs to know of a flag or an argument (oclif's definitions fit). */
export interface OptionDef {
  char?: string;
  options?: readonly string[];
  hidden?: boolean;
}

export interface CommandUsage {
  /** How the user called it: "lxplan", "lxplan import", "lxapply". */
  bin: string;
  flags: Record<string, OptionDef>;
  /** In order. */
  args: Record<string, OptionDef & { required?: boolean }>;
  /** Flags of the other commands, by the command's name ("lxapply": ["auto-approve", ...]). */
  otherFlags?: Record<string, string[]>;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The parser's message on one line: no colours, no "See more help", no line breaks. */
function oneLine(message: string): string {
  return message
    .replace(ANSI, '')
    .replace(/\n?See more help with --help/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * The candidate the user most likely meant: a typo (a few edits away), else the one candidate
 * the word abbreviates (its letters in order, from the first: "md" for "markdown").
 */
export function likely(word: string, candidates: readonly string[]): string | undefined {
  const typo = closestName(word, candidates);
  if (typo !== undefined) return typo;
  const w = word.toLowerCase();
  if (w.length < 2) return undefined;
  const abbreviates = (c: string) => {
    const s = c.toLowerCase();
    if (s[0] !== w[0]) return false;
    let i = 0;
    for (const ch of s) if (ch === w[i]) i++;
    return i === w.length;
  };
  const hits = candidates.filter(abbreviates);
  return hits.length === 1 ? hits[0] : undefined;
}

function argName(name: string): string {
  return name.toUpperCase();
}

function synopsis(u: CommandUsage): string {
  const args = Object.entries(u.args).map(([name, a]) => (a.required ? argName(name) : `[${argName(name)}]`));
  return [u.bin, ...args].join(' ');
}

function unknownFlag(input: string, u: CommandUsage): string {
  const given = input.replace(/=.*$/, '');
  const long = given.startsWith('--');
  const word = given.replace(/^--?/, '');
  const visible = Object.entries(u.flags).filter(([, f]) => !f.hidden);
  if (!long) {
    const chars = visible.flatMap(([name, f]) => (f.char ? [`-${f.char} (--${name})`] : []));
    return `unknown flag ${given}${chars.length > 0 ? ` (short flags: ${chars.join(', ')})` : ''}; ${u.bin} --help lists the flags`;
  }
  const near = likely(
    word,
    visible.map(([name]) => name),
  );
  if (near !== undefined) return `unknown flag ${given}: did you mean --${near}?`;
  const rank = (bin: string) => (bin === 'lxplan' ? 0 : bin === 'lxapply' ? 1 : 2);
  const elsewhere = Object.entries(u.otherFlags ?? {})
    .filter(([, names]) => names.includes(word))
    .map(([bin]) => bin)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (elsewhere.length > 0) {
    const which = elsewhere.length === 1 ? elsewhere[0] : `${elsewhere.slice(0, -1).join(', ')} and ${elsewhere[elsewhere.length - 1]}`;
    return `unknown flag ${given}: it is a flag of ${which}, not of ${u.bin}`;
  }
  return `unknown flag ${given}; ${u.bin} --help lists the flags`;
}

function notAnOption(what: string, input: string, options: readonly string[]): string {
  const near = likely(input, options);
  return `${what} ${input} is not one of ${options.join(', ')}${near !== undefined ? `: did you mean ${near}?` : ''}`;
}

/** What went wrong, in one line, from whatever oclif's parser threw. */
export function usageMessage(err: Error & { flags?: string[]; args?: unknown[] }, u: CommandUsage): string {
  const kind = err.constructor?.name;
  const text = oneLine(err.message);
  switch (kind) {
    case 'NonExistentFlagsError':
      return (err.flags ?? []).map((f) => unknownFlag(f, u)).join('; ');
    case 'FlagInvalidOptionError': {
      const m = /^Expected --(.+?)=(.*) to be one of: /.exec(text);
      const options = m ? u.flags[m[1]]?.options : undefined;
      return m && options ? notAnOption(`--${m[1]}`, m[2], options) : text;
    }
    case 'ArgInvalidOptionError': {
      const m = /^Expected (.*) to be one of: /.exec(text);
      const arg = m ? Object.entries(u.args).find(([, a]) => a.options && !a.options.includes(m[1])) : undefined;
      return m && arg ? notAnOption(argName(arg[0]), m[1], arg[1].options!) : text;
    }
    case 'UnexpectedArgsError': {
      const extra = (err.args ?? []).map(String);
      return `unexpected argument${extra.length === 1 ? '' : 's'} ${extra.join(' ')} (usage: ${synopsis(u)})`;
    }
    case 'RequiredArgsError': {
      const missing = Object.entries(u.args)
        .filter(([, a]) => a.required)
        .map(([name]) => name)
        .filter((name) => ((err.args ?? []) as Array<{ name?: string }>).some((a) => a.name === name));
      return `missing ${missing.map(argName).join(' and ') || 'argument'} (usage: ${synopsis(u)})`;
    }
    case 'FailedFlagValidationError':
    case 'ViolatedFlagConstraintError':
      return text.replace(/^The following errors? occurred: /, '');
    default: {
      const parsing = /^Parsing --(\S+) (.*)$/.exec(text);
      if (parsing) return `--${parsing[1]}: ${parsing[2].replace(/^Expected/, 'expected')}`;
      const value = /^Flag --(\S+) expects a value$/.exec(text);
      if (value) return `--${value[1]} needs a value`;
      return text;
    }
  }
}

export function usageError(err: unknown, u: CommandUsage): LxplanError {
  if (err instanceof LxplanError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  return new LxplanError('usage', usageMessage(e, u), { cause: e });
}

/**
 * For lxplan's first word when it is neither a command nor an existing path: the command it
 * looks like a typo of ("valdate" for "validate"), as a usage error; undefined when it looks
 * like nothing (it is then the path of the plan command, which says it does not exist).
 */
export function unknownCommand(word: string, commands: readonly string[], asPath = true): LxplanError | undefined {
  const near = likely(word, commands);
  if (near === undefined) return undefined;
  return new LxplanError('usage', `unknown command ${word}: did you mean lxplan ${near}?${asPath ? ` (${word} is no manifest path either)` : ''}`);
}
