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
