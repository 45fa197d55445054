/**
 * A guard against absurdly nested YAML, fed the lexer's tokens before yaml builds anything.
 * yaml's composer recurses once per level (a few hundred levels overflow the stack) and its
 * parser keeps a tree in memory (a 10 MB file of "{a: " needs gigabytes), while a manifest
 * never nests more than five levels (instances > name > devices > name > option).
 *
 * The depth is estimated from the tokens: every flow bracket opens a level, and in block
 * context every node starting at a column to the right of the enclosing ones does. The
 * estimate may be off by a little (a sequence written at its parent key's column counts once,
 * not twice; an anchor before a collection counts once more), which does not matter against
 * a limit of 64.
 */
import { CST, Lexer } from 'yaml';

/** Deeper than this (lists and mappings inside each other) is refused. */
export const MAX_NESTING = 64;

export class NestingGuard {
  private offset = 0;
  private lineStart = 0;
  private flow = 0;
  private atScalar = false;
  /** Columns of the open block nodes, increasing. */
  private readonly cols: number[] = [];

  constructor(private readonly max: number = MAX_NESTING) {}

  /** Takes the next lexeme; returns its offset when it starts a node nested too deep. */
  feed(tok: string): number | undefined {
    if (this.atScalar) {
      // The text of a plain or block scalar (the marker before it said so): only its start matters.
      this.atScalar = false;
      const start = this.offset;
      const deep = this.flow === 0 && this.blockNode(start) > this.max;
      this.advance(tok);
      return deep ? start : undefined;
    }
    const type = CST.tokenType(tok);
    if (type === 'scalar') {
      this.atScalar = true;
      return undefined;
    }
    if (type === 'doc-mode' || type === 'flow-error-end') return undefined; // markers, not text
    const start = this.offset;
    this.advance(tok);
    switch (type) {
      case 'doc-start':
      case 'doc-end':
        this.cols.length = 0;
        this.flow = 0;
        return undefined;
      case 'flow-map-start':
      case 'flow-seq-start': {
        const depth = (this.flow === 0 ? this.blockNode(start) : this.cols.length) + this.flow;
        this.flow++;
        return depth > this.max ? start : undefined;
      }
      case 'flow-map-end':
      case 'flow-seq-end':
        if (this.flow > 0) this.flow--;
        return undefined;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'alias':
      case 'anchor':
      case 'tag':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'block-scalar-header':
        return this.flow === 0 && this.blockNode(start) > this.max ? start : undefined;
      default:
        return undefined;
    }
  }

  /** Moves past a token; one holding line breaks (a newline, a multi-line scalar) starts a new line. */
  private advance(tok: string): void {
    const nl = tok.lastIndexOf('\n');
    if (nl >= 0) this.lineStart = this.offset + nl + 1;
    this.offset += tok.length;
  }

  /** A block node starting at `offset`: closes the nodes at its column or right of it, opens one. */
  private blockNode(offset: number): number {
    const col = offset - this.lineStart;
    const cols = this.cols;
    while (cols.length > 0 && cols[cols.length - 1] > col) cols.pop();
    if (cols.length === 0 || cols[cols.length - 1] !== col) cols.push(col);
    return cols.length;
  }
}

/** The offset of the first node nested deeper than `max` levels in `text`, or undefined. */
export function tooDeepAt(text: string, max: number = MAX_NESTING): number | undefined {
  const guard = new NestingGuard(max);
  for (const tok of new Lexer().lex(text)) {
    const at = guard.feed(tok);
    if (at !== undefined) return at;
  }
  return undefined;
}
