/**
 * YAML text to a document that remembers where everything is. Errors are only useful with
 * a file:line:col, so the loader works on yaml's node tree (with a LineCounter) rather than
 * on plain data; plain data (for the schema check) is derived from it under an alias limit,
 * so a "billion laughs" document fails fast instead of eating the machine.
 */
import {
  Composer,
  Document,
  LineCounter,
  Lexer,
  Parser,
  YAMLParseError,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type CST,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { LxplanError, type SourceLocation } from '../errors.js';
import { describeContainer, isSection, KIND_OF } from './context.js';
import { MAX_NESTING, NestingGuard } from './nesting.js';

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
  if (isScalar(k)) {
    const v = k.value;
    return v === null ? '' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  }
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
  const { doc, tooDeep } = parseOneDocument(text, lineCounter);
  const file: SourceFile = { display, abs, text, lineCounter, doc };
  const errors: LxplanError[] = [];
  if (tooDeep !== undefined) {
    errors.push(
      new LxplanError('manifest.syntax', `YAML nested too deeply: more than ${MAX_NESTING} levels of lists and mappings inside each other`, {
        location: locateOffset(file, tooDeep),
        hint: 'a manifest needs five levels at most (instances > name > devices > name > option)',
      }),
    );
    return { file, errors };
  }
  // Only the first: once the YAML is broken, yaml's further findings are mostly echoes of the
  // same mistake ("must be sufficiently indented" then "need to be followed by map values").
  const first = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (first) {
    errors.push(new LxplanError('manifest.syntax', syntaxMessage(first.code, first.message), { location: locateOffset(file, first.pos[0]) }));
    return { file, errors };
  }
  // Keys that are not plain scalars, and aliases to nothing: toJS would make "[object]" keys
  // (with a process warning) or throw a ReferenceError; say what is wrong, where.
  errors.push(...badKeysAndAliases(file));
  if (errors.length > 0) return { file, errors };
  errors.push(...duplicateKeys(file));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const first = findFirstAlias(doc);
    errors.push(
      new LxplanError('manifest.syntax', `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); refusing to expand them`, {
        location: locate(file, first),
        hint: 'aliases (*name) are fine for sharing a block a few times; this document expands them exponentially',
        cause: e,
      }),
    );
    return { file, errors };
  }
  return { file, data: data ?? {}, errors };
}

/**
 * yaml's parseDocument, with the nesting guard between the lexer and the parser: a document
 * nested too deeply is never built (see nesting.ts). `tooDeep` is the offset where it was cut.
 */
function parseOneDocument(text: string, lineCounter: LineCounter): { doc: Document.Parsed; tooDeep?: number } {
  // resolveKnownTags: false: yaml would otherwise resolve YAML 1.1's !!set, !!omap, !!pairs, !!binary and
  // !!timestamp, whose values (a Set, a Map, bytes, a Date) the schema check would see as empty
  // mappings: `instances: !!set {web-1}` would silently define nothing.
  const options = { prettyErrors: false, uniqueKeys: false, merge: false, strict: true, resolveKnownTags: false } as const;
  const parser = new Parser(lineCounter.addNewLine);
  const guard = new NestingGuard();
  const tokens: CST.Token[] = [];
  lineCounter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    const tooDeep = guard.feed(lexeme);
    if (tooDeep !== undefined) return { doc: new Composer(options).compose([], true, 0).next().value as Document.Parsed, tooDeep };
    for (const t of parser.next(lexeme)) tokens.push(t);
  }
  for (const t of parser.end()) tokens.push(t);
  let doc: Document.Parsed | undefined;
  for (const d of new Composer(options).compose(tokens, true, text.length)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
      break;
    }
  }
  return { doc: doc! };
}

/** yaml's messages, without the " at line X, column Y" it adds (our location says that). */
function syntaxMessage(code: string, message: string): string {
  const m = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  if (code === 'MULTIPLE_DOCS') return 'a manifest file holds one YAML document; split the "---" sections into separate files';
  if (code === 'TAG_RESOLVE_FAILED') {
    const tag = /^Unresolved tag: (.*)$/.exec(m)?.[1]?.replace(/^tag:yaml\.org,2002:/, '!!');
    return tag ? `YAML tag ${tag} is not supported in manifests: write plain mappings, lists and strings` : `YAML: ${m} (tags are not supported in manifests)`;
  }
  return `YAML syntax error: ${m}`;
}

/** Mapping keys that are not plain scalars (`? [a, b]`, `*alias:`), and aliases to no anchor. */
function badKeysAndAliases(file: SourceFile): LxplanError[] {
  const out: LxplanError[] = [];
  const walk = (n: unknown): void => {
    if (isAlias(n)) {
      if (n.resolve(file.doc) === undefined) {
        out.push(
          new LxplanError('manifest.syntax', `YAML alias *${n.source} refers to no anchor: define &${n.source} before it`, {
            location: locate(file, n),
            hint: 'an alias (*name) repeats the node marked with the anchor &name earlier in the same file',
          }),
        );
      }
    } else if (isMap(n)) {
      for (const p of n.items) {
        const k = p.key as Node | null;
        if (k !== null && !isScalar(k)) {
          const what = isAlias(k) ? 'an alias' : isSeq(k) ? 'a list' : 'a mapping';
          out.push(
            new LxplanError('manifest.syntax', `a mapping key must be a plain name, not ${what}`, {
              location: locate(file, k),
              hint: 'manifest keys are names: images, profiles, instances, their names and their settings',
            }),
          );
        } else walk(k);
        walk(p.value);
      }
    } else if (isSeq(n)) for (const i of n.items) walk(i);
  };
  walk(file.doc.contents);
  return out;
}

function findFirstAlias(doc: Document.Parsed): Node | null {
  let found: Node | null = null;
  const walk = (n: unknown): void => {
    if (found) return;
    if (isAlias(n)) found = n;
    else if (isMap(n))
      for (const p of n.items) {
        walk(p.key);
        walk(p.value);
      }
    else if (isSeq(n)) for (const i of n.items) walk(i);
    else if (isPair(n)) {
      walk(n.key);
      walk(n.value);
    }
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
            out.push(
              new LxplanError('manifest.duplicate', `${KIND_OF[segs[0]]} "${k}" is defined twice: at ${first} and at ${formatLocation(second)}`, {
                location: second,
                hint: 'names are unique per kind across all manifest files: rename or remove one',
              }),
            );
          } else {
            out.push(
              new LxplanError('manifest.syntax', `duplicate key "${k}" ${describeContainer(segs)} (first at ${first})`, {
                location: second,
                hint: 'a key may appear once per mapping: remove one',
              }),
            );
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
