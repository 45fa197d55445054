/**
 * YAML text to a document that remembers where everything is. Errors are only useful with
 * a file:line:col, so the loader works on yaml's node tree (with a LineCounter) rather than
 * on plain data; plain data (for the schema check) is derived from it under an alias limit,
 * so a "billion laughs" document fails fast instead of eating the machine.
 */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { LxplanError, type SourceLocation } from '../errors.js';
import { describeContainer, isSection, KIND_OF } from './context.js';

/** Expanding more aliases than this is treated as an attack (yaml's own default is 100). */
export const MAX_ALIAS_COUNT = 100;

export interface SourceFile {
  /** Path as shown to the user (relative to the working directory when under it). */
  display: string;
  /** Absolute path. */
  abs: string;
  text: string;
  lineCounter: LineCounter;
  doc: Document.Parsed;
}

export interface ParseResult {
  file: SourceFile;
  /** Plain data for schema validation; undefined when the YAML is unusable. */
  data?: unknown;
  errors: LxplanError[];
}

export function locateOffset(file: SourceFile, offset: number): SourceLocation {
  const { line, col } = file.lineCounter.linePos(offset);
  return { file: file.display, line, col };
}

/** Where a node starts; the file's first position when there is none. */
export function locate(file: SourceFile, node: Node | null | undefined): SourceLocation {
  const start = node?.range?.[0];
  return locateOffset(file, start ?? 0);
}

export function formatLocation(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.col}`;
}

/** Follows an alias to its anchored node (aliases are bounded by then: see MAX_ALIAS_COUNT). */
export function deref(file: SourceFile, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(file.doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

/** A key as the data sees it: "web-1", or "1" for the number key 1. */
export function keyText(pair: Pair<unknown, unknown>): string {
  const k = pair.key;
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  return String(k);
}

/** The pair for `key` in a mapping node (the first, when a key is repeated). */
export function findPair(map: YAMLMap<unknown, unknown>, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => keyText(p) === key);
}

/**
 * The key and value nodes at a data path (["instances", "web-1", "limits"]), following
 * aliases. Stops at the deepest node that exists, so a location is always available.
 */
export function lookup(file: SourceFile, segs: readonly string[]): { key: Node | null; value: Node | null } {
  let key: Node | null = null;
  let value: Node | null = deref(file, file.doc.contents);
  for (const seg of segs) {
    if (isMap(value)) {
      const pair = findPair(value, seg);
      if (!pair) break;
      key = (pair.key as Node) ?? key;
      value = deref(file, pair.value) ?? null;
      if (value === null) break;
    } else if (isSeq(value)) {
      const item = deref(file, value.items[Number(seg)]);
      if (!item) break;
      key = item;
      value = item;
    } else break;
  }
  return { key, value };
}

/** Parses one manifest file; never throws for bad input, every problem becomes a located error. */
export function parseManifestText(text: string, display: string, abs: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: false, strict: true });
  const file: SourceFile = { display, abs, text, lineCounter, doc };
  const errors: LxplanError[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    errors.push(new LxplanError('manifest.syntax', syntaxMessage(e.code, e.message), { location: locateOffset(file, e.pos[0]) }));
  }
  if (errors.length > 0) return { file, errors };
  errors.push(...duplicateKeys(file));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const first = findFirstAlias(doc);
    errors.push(new LxplanError('manifest.syntax', `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); refusing to expand them`, {
      location: locate(file, first),
      hint: 'aliases (*name) are fine for sharing a block a few times; this document expands them exponentially',
      cause: e,
    }));
    return { file, errors };
  }
  return { file, data: data ?? {}, errors };
}

/** yaml's messages, without the " at line X, column Y" it adds (our location says that). */
function syntaxMessage(code: string, message: string): string {
  const m = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  if (code === 'MULTIPLE_DOCS') return 'a manifest file holds one YAML document; split the "---" sections into separate files';
  if (code === 'TAG_RESOLVE_FAILED') return `YAML: ${m} (custom tags are not supported in manifests)`;
  return `YAML syntax error: ${m}`;
}

function findFirstAlias(doc: Document.Parsed): Node | null {
  let found: Node | null = null;
  const walk = (n: unknown): void => {
    if (found) return;
    if (isAlias(n)) found = n;
    else if (isMap(n)) for (const p of n.items) { walk(p.key); walk(p.value); }
    else if (isSeq(n)) for (const i of n.items) walk(i);
    else if (isPair(n)) { walk(n.key); walk(n.value); }
  };
  walk(doc.contents);
  return found;
}

/**
 * Repeated keys in one mapping. yaml's own check names only the second place; for an
 * object defined twice both places matter (which one is meant?), so we do it ourselves.
 * Aliases are not followed: every node is visited once where it is written.
 */
function duplicateKeys(file: SourceFile): LxplanError[] {
  const out: LxplanError[] = [];
  const walk = (n: unknown, segs: string[]): void => {
    if (isMap(n)) {
      const seen = new Map<string, Node>();
      for (const p of n.items) {
        const k = keyText(p);
        const prev = seen.get(k);
        const here = p.key as Node;
        if (prev) {
          const first = formatLocation(locate(file, prev));
          const second = locate(file, here);
          if (segs.length === 1 && isSection(segs[0])) {
            out.push(new LxplanError('manifest.duplicate', `${KIND_OF[segs[0]]} "${k}" is defined twice: at ${first} and at ${formatLocation(second)}`, {
              location: second,
              hint: 'names are unique per kind across all manifest files: rename or remove one',
            }));
          } else {
            out.push(new LxplanError('manifest.syntax', `duplicate key "${k}" ${describeContainer(segs)} (first at ${first})`, {
              location: second,
              hint: 'a key may appear once per mapping: remove one',
            }));
          }
        } else seen.set(k, here);
        walk(p.value, [...segs, k]);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...segs, String(i)]));
    }
  };
  walk(file.doc.contents, []);
  return out;
}

