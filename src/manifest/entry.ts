/**
 * Reading one entry of a manifest section (`instances: {web-1: {...}}`) on the YAML node tree:
 * each kind's manifest.ts (src/resources/<kind>/) builds its desired object with these helpers,
 * which keep the position of every key read (keyAt) and collect value errors as they go. They
 * tolerate anything the schema rejects (they skip it), so one run reports schema and value
 * problems together.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { LxplanError, type SourceLocation } from '../errors.js';
import type { ConfigMap } from '../lxd/types.js';
import { configKeyProblem, type ConfigOwner } from '../resources/config-keys.js';
import { describe } from './context.js';
import { deref, keyText, locate, type SourceFile } from './parse.js';

/** One key of a mapping: its name, its key node (for positions) and its value. */
export interface Field {
  key: string;
  keyNode: Node;
  value: Node | null;
}

/**
 * A scalar as the string LXD will store: strings as parsed (quotes and escapes resolved),
 * numbers and booleans as their source text ("0.50" stays "0.50", not "0.5").
 * Undefined for anything that is not a non-null scalar.
 */
export function scalarText(node: Node | null): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return node.source ?? String(v);
  return undefined;
}

/** The pairs of a mapping, each key once (a repeated key is reported by the parser). */
export function pairs(file: SourceFile, node: Node | null): Field[] {
  if (!isMap(node)) return [];
  const seen = new Set<string>();
  const out: Field[] = [];
  for (const p of node.items) {
    const key = keyText(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, keyNode: p.key as Node, value: deref(file, p.value) });
  }
  return out;
}

/** Reads one entry (its body a mapping); collects keyAt and value errors as it goes. */
export class EntryReader {
  readonly keyAt: Record<string, SourceLocation> = {};
  /** The entry's top-level keys. */
  readonly fields: Map<string, Field>;

  /** `segs`: the entry's place (["instances", "web-1"]); errors go to `errors`. */
  constructor(
    readonly file: SourceFile,
    readonly segs: string[],
    body: Node,
    readonly errors: LxplanError[],
  ) {
    this.fields = new Map(pairs(file, body).map((p) => [p.key, p]));
  }

  /** The entry in words: `instance "web-1"`. */
  get owner(): string {
    return describe(this.segs);
  }

  loc(node: Node | null | undefined): SourceLocation {
    return locate(this.file, node);
  }

  pairs(node: Node | null): Field[] {
    return pairs(this.file, node);
  }

  valueError(message: string, node: Node | null, hint?: string): void {
    this.errors.push(new LxplanError('manifest.value', message, { location: this.loc(node), hint }));
  }

  /** A top-level field's text, recording where its key is. */
  text(key: string): string | undefined {
    const f = this.fields.get(key);
    if (!f) return undefined;
    this.keyAt[key] = this.loc(f.keyNode);
    return scalarText(f.value);
  }

  /** `sensitive: [key, ...]`: config keys whose values are secrets. */
  sensitive(): { sensitive?: string[] } {
    const f = this.fields.get('sensitive');
    if (!f || !isSeq(f.value)) return {};
    this.keyAt.sensitive = this.loc(f.keyNode);
    const keys = f.value.items.map((item) => scalarText(deref(this.file, item))).filter((k): k is string => k !== undefined);
    return keys.length > 0 ? { sensitive: keys } : {};
  }

  /** config: as it is, every value a string; `nodes` gets each value's node. */
  plainConfig(nodes?: Map<string, Node | null>): ConfigMap {
    const config: ConfigMap = {};
    const cfg = this.fields.get('config');
    if (!cfg) return config;
    this.keyAt.config = this.loc(cfg.keyNode);
    for (const p of this.pairs(cfg.value)) {
      const v = scalarText(p.value);
      if (v === undefined) continue;
      config[p.key] = v;
      nodes?.set(p.key, p.value);
      this.keyAt[`config.${p.key}`] = this.loc(p.keyNode);
    }
    return config;
  }

  /**
   * Config keys LXD does not know for this kind of object (src/resources/config-keys.ts), reported
   * at the key with a did-you-mean; a bad value of a typed key at the value.
   */
  checkKeys(owner: ConfigOwner, config: ConfigMap, nodes: Map<string, Node | null>, label = this.owner): void {
    for (const [k, v] of Object.entries(config)) {
      const p = configKeyProblem(owner, label, k, v);
      if (p)
        this.errors.push(
          new LxplanError(p.code, p.message, {
            location: p.atValue ? this.loc(nodes.get(k) ?? null) : this.keyAt[`config.${k}`],
            ...(p.hint ? { hint: p.hint } : {}),
          }),
        );
    }
  }
}
