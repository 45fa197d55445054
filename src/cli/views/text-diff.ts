/**
 * Multi-line values (cloud-init user-data, raw.lxc) as a unified diff, one display line per text
 * line, so a one-line change in a 40-line file shows as one line and not as two quoted blobs.
 * Hunk headers ("@@ -3,7 +3,7 @@") are shown only when unchanged lines are left out: for a short
 * value the whole text is there and they would be noise.
 */
import type { ChalkInstance } from 'chalk';
import { structuredPatch } from 'diff';
import { line, type Line } from './lines.js';

export function isMultiLine(v: string | undefined): boolean {
  return v !== undefined && v.includes('\n');
}

/** Control characters (except tab) as escapes: a value must not move the cursor or recolour the terminal. */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

/** The text's lines; a final newline ends the last line rather than starting an empty one. */
function linesOf(s: string): string[] {
  if (s === '') return [];
  const parts = s.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function textLine(indent: number, text: string): Line {
  return text === '' ? line(0, '') : line(indent, visible(text));
}

/** A value shown whole (a created object's field), each line at `indent`. */
export function valueLines(value: string, indent: number): Line[] {
  return linesOf(value).map((t) => textLine(indent, t));
}

/**
 * A value that is absent on one side diffs against the empty text. When neither side ends with a
 * newline, one is added to both, so the diff does not report a missing final newline that was
 * never there; when only one side lacks it, the difference is real and the diff says so.
 */
function normalise(before: string, after: string): [string, string] {
  const open = (s: string) => s === '' || !s.endsWith('\n');
  if (open(before) && open(after)) return [before === '' ? '' : `${before}\n`, after === '' ? '' : `${after}\n`];
  return [before, after];
}

/** The unified diff (3 lines of context) from `before` to `after`; `+`/`-` lines are marked for the views. */
export function textDiff(before: string | undefined, after: string | undefined, indent: number, c: ChalkInstance): Line[] {
  const [a, b] = normalise(before ?? '', after ?? '');
  const { hunks } = structuredPatch('before', 'after', a, b, undefined, undefined, { context: 3 });
  const shown = (n: 'oldLines' | 'newLines') => hunks.reduce((sum, h) => sum + h[n], 0);
  const whole = shown('oldLines') === linesOf(a).length && shown('newLines') === linesOf(b).length;
  const out: Line[] = [];
  for (const h of hunks) {
    if (!whole) out.push(line(indent, c.cyan(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`)));
    for (const l of h.lines) {
      const text = l.slice(1);
      switch (l[0]) {
        case '+':
          out.push({ indent, mark: '+', colour: c.green, text: c.green(visible(text)) });
          break;
        case '-':
          out.push({ indent, mark: '-', colour: c.red, text: c.red(visible(text)) });
          break;
        case '\\':
          out.push(line(indent, c.dim(l)));
          break;
        default:
          out.push(textLine(indent + 1, text));
      }
    }
  }
  return out;
}
