/**
 * Errors are values: a stable code, a message a person can act on, and, for manifest
 * problems, where in which file. Only the CLI layer turns them into exit codes.
 */
export interface SourceLocation {
  /** Path of the manifest file, as given (relative to the working directory when possible). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

export type ErrorCode =
  | 'manifest.syntax' // YAML does not parse
  | 'manifest.schema' // wrong type, missing or unknown key
  | 'manifest.value' // a value LXD would reject (bad unit, bad cpu set ...)
  | 'manifest.duplicate' // same object defined twice
  | 'manifest.reference' // an instance names a profile or image that exists nowhere
  | 'manifest.io' // a manifest or image file cannot be read
  | 'plan.conflict' // object exists in LXD but is not managed by lxplan
  | 'plan.guard' // a destructive change was not allowed
  | 'plan.stale' // a saved plan no longer matches the state or LXD
  | 'lxd.unreachable' // cannot connect to the daemon
  | 'lxd.api' // the daemon answered with an error
  | 'lxd.certificate' // a remote presented another certificate than the pinned one, or nothing is pinned
  | 'lxd.untrusted' // a remote does not trust lxplan's client certificate
  | 'state.locked' // another run holds the state lock
  | 'state.io' // state file cannot be read or written
  | 'state.format' // state file is corrupt or of an unknown version
  | 'apply.failed' // one or more changes failed during apply
  | 'usage'; // bad command-line usage

export class LxplanError extends Error {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  readonly hint?: string;
  /** Further errors of the same run (e.g. every schema problem in a manifest). */
  readonly more: LxplanError[];

  constructor(code: ErrorCode, message: string, opts: { location?: SourceLocation; hint?: string; cause?: unknown; more?: LxplanError[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LxplanError';
    this.code = code;
    this.location = opts.location;
    this.hint = opts.hint;
    this.more = opts.more ?? [];
  }

  /** "file:line:col: message" when located, else the message. */
  describe(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.col}: ` : '';
    return where + this.message + (this.hint ? `\n  hint: ${this.hint}` : '');
  }
}

export function isLxplanError(e: unknown): e is LxplanError {
  return e instanceof LxplanError;
}
