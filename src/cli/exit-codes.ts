/** The one table of exit codes. Only the CLI layer maps errors to these. */
export const EXIT = {
  /** Success; with --detailed-exitcode: success and no changes. */
  OK: 0,
  /**
   * Any error: bad input, LXD unreachable, lock held, a failed change; and a usage error (an
   * unknown flag, command or argument, a value not among a flag's options), whatever the
   * command: never CHANGES, which a CI job reads as "the plan has changes" (./usage.ts).
   */
  ERROR: 1,
  /** With --detailed-exitcode: success, and the plan has changes. */
  CHANGES: 2,
  /** Interrupted by a signal (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;
