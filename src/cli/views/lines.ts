/**
 * Display lines, the common form of the human and markdown views. The human view prints a line as
 * indent + mark + text; the markdown view moves the mark to column 0, where a ```diff block's
 * highlighting looks for it. Keeping the mark apart (rather than re-parsing printed text) means a
 * value that happens to start with "- " is never mistaken for a removal.
 */
export interface Line {
  /** Spaces before the mark (or before the text when there is no mark). */
  indent: number;
  /** A change glyph ("+", "-", "~", "-/+") or a text diff's "+"/"-". */
  mark?: string;
  /** How the human view colours the mark. */
  colour?: (s: string) => string;
  /** The rest of the line, already coloured; after a glyph it starts with the separating space. Never ends in spaces. */
  text: string;
}

export function line(indent: number, text: string): Line {
  return { indent, text };
}

export const BLANK: Line = { indent: 0, text: '' };

/** The human form: one line per Line, indentation as given. */
export function joinLines(lines: Line[]): string {
  return lines.map((l) => (l.text === '' && !l.mark ? '' : ' '.repeat(l.indent) + (l.mark ? (l.colour ?? String)(l.mark) : '') + l.text)).join('\n');
}
