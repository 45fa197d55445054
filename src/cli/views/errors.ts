/** Errors as people read them: "file:line:col: message", a hint, and every further error. */
import type { ChalkInstance } from 'chalk';
import { isLxplanError, type LxplanError } from '../../errors.js';
import { plain } from './style.js';

function one(e: LxplanError, c: ChalkInstance): string {
  const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.col}: ` : '';
  return `${c.red('Error:')} ${where}${e.message}${e.hint ? `\n  ${c.dim('hint:')} ${e.hint}` : ''}`;
}

export function renderError(err: unknown, c: ChalkInstance = plain): string {
  if (isLxplanError(err)) return [err, ...err.more].map((e) => one(e, c)).join('\n') + '\n';
  const e = err instanceof Error ? err : new Error(String(err));
  return `${c.red('Error:')} ${e.message}\n${process.env.LXPLAN_DEBUG ? `${e.stack}\n` : ''}`;
}

/** One error in a `--json` error document. */
export interface ErrorJson {
  code: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  hint?: string;
}

/**
 * Errors as a JSON document for `--json` runs, so a program reading stdout gets JSON whatever
 * happened: {"format_version": "1.0", "errors": [{"code", "message", "file", "line", "col", "hint"}]}.
 * An unexpected (non-lxplan) error has the code "internal".
 */
export function errorDocument(err: unknown): { format_version: string; errors: ErrorJson[] } {
  const all: ErrorJson[] = isLxplanError(err)
    ? [err, ...err.more].map((e) => ({
        code: e.code,
        message: e.message,
        ...(e.location ? { file: e.location.file, line: e.location.line, col: e.location.col } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
      }))
    : [{ code: 'internal', message: err instanceof Error ? err.message : String(err) }];
  return { format_version: '1.0', errors: all };
}
