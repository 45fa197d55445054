/**
 * Schema validation of one manifest file, with ajv's findings turned into sentences that
 * point at the right line: an unknown key is reported at the key itself with a "did you
 * mean", a wrong type at the value, a missing key at the object that lacks it.
 *
 * The schema (schemas/manifest.schema.json) is the single description of the format: the
 * loader checks against it and editors (yaml-language-server) show its descriptions.
 * Values of limits are only type-checked here; their meaning is checked by
 * src/resources/limits.ts, which can say precisely what is wrong. What a kind knows better
 * (why a name breaks its rules, a hint for a key it requires) comes from its registry entry's
 * schema hints (src/manifest/schema-hints.ts): nothing here names a kind.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { Node } from 'yaml';
import { LxplanError } from '../errors.js';
import { AJV_OPTIONS } from './schema-options.js';
import { LIMITS } from '../resources/limits.js';
import { registry } from '../resources/registry.js';
import { describe, describeContainer, isSection, KIND_OF, ownerOf, type Section } from './context.js';
import { closestName, didYouMean } from './hints.js';
import { locate, lookup, type SourceFile } from './parse.js';
import type { SchemaHints } from './schema-hints.js';

const SCHEMA_REL = path.join('schemas', 'manifest.schema.json');

/**
 * The schema file, found by walking up from this module: the same code runs from src/
 * (tests, ts tooling) and from dist/src/ (the published package ships schemas/ beside it).
 */
export function manifestSchemaPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = path.join(dir, SCHEMA_REL);
    if (existsSync(p)) return p;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find ${SCHEMA_REL} above ${path.dirname(fileURLToPath(import.meta.url))}`);
    dir = up;
  }
}

/** The schema hints of the kind whose section this is. */
function hintsOf(section: Section): SchemaHints | undefined {
  return registry.find((e) => e.kind === KIND_OF[section])?.schema;
}

let compiled: ValidateFunction | undefined;
let schemaJson: { definitions: Record<string, { properties?: Record<string, unknown> }> } | undefined;

/** The keys a definition of the schema allows (a kind's object definition: its keys, in the schema's order). */
export function schemaKeys(definition: string): string[] {
  schemaJson ??= JSON.parse(readFileSync(manifestSchemaPath(), 'utf8'));
  return Object.keys(schemaJson!.definitions[definition]?.properties ?? {});
}

/**
 * The validator the build generated (scripts/build-validator.mjs), when it was generated from
 * exactly this schema; otherwise undefined (running from src/, or a schema edited since the build).
 */
function prebuilt(schemaText: string): ValidateFunction | undefined {
  try {
    const mod = createRequire(import.meta.url)('./schema-validator.cjs') as { default?: ValidateFunction; schemaSha256?: string };
    const sha = createHash('sha256').update(schemaText).digest('hex');
    return mod.schemaSha256 === sha ? mod.default : undefined;
  } catch {
    return undefined;
  }
}

function validator(): ValidateFunction {
  if (!compiled) {
    const text = readFileSync(manifestSchemaPath(), 'utf8');
    // ajv itself is loaded only when the schema must be compiled here (its import alone takes tens of ms).
    compiled =
      prebuilt(text) ??
      (() => {
        const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
        return new Ajv(AJV_OPTIONS).compile(JSON.parse(text));
      })();
  }
  return compiled;
}

/** JSON pointer to path segments ("/instances/a~1b" -> ["instances", "a/b"]). */
function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Validates `data` (from `file`) and returns one located error per problem. */
export function validateAgainstSchema(file: SourceFile, data: unknown): LxplanError[] {
  const validate = validator();
  if (validate(data)) return [];
  const out: LxplanError[] = [];
  const seen = new Set<string>();
  const all = validate.errors ?? [];
  const redundant = redundantErrors(all);
  for (const e of all) {
    if (redundant.has(e)) continue;
    const err = toError(file, e);
    if (!err) continue;
    const id = `${err.message}@${err.location?.line}:${err.location?.col}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(err);
  }
  return out;
}

/**
 * ajv findings that restate another one, so one mistake gives one error: "must be a string"
 * next to "must be one of running, stopped, frozen" for the same value (the list says more),
 * and "missing key image" next to "unknown key imgae" in the same object (the typo is the
 * mistake: its did-you-mean names the missing key).
 */
function redundantErrors(errors: readonly ErrorObject[]): Set<ErrorObject> {
  const out = new Set<ErrorObject>();
  const enumAt = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  const typoFor = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const meant = closestName(key, allowed);
    if (meant !== undefined) typoFor.add(`${e.instancePath}\0${meant}`);
  }
  for (const e of errors) {
    if (e.keyword === 'type' && enumAt.has(e.instancePath)) out.add(e);
    if (e.keyword === 'required' && typoFor.has(`${e.instancePath}\0${String((e.params as { missingProperty: string }).missingProperty)}`)) out.add(e);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function expected(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null') as string[];
  if (types.length === 3 && types.includes('string') && types.includes('number') && types.includes('boolean')) return 'a string, number or boolean';
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function got(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value.length > 40 ? value.slice(0, 40) + '...' : value}"`;
  if (typeof value === 'boolean') return String(value);
  return `the number ${typeof value === 'number' ? String(value) : typeof value}`;
}

function toError(file: SourceFile, e: ErrorObject): LxplanError | null {
  const segs = segments(e.instancePath);
  const at = lookup(file, segs);
  const mk = (message: string, node: Node | null | undefined, hint?: string) =>
    new LxplanError('manifest.schema', message, { location: locate(file, node ?? at.value ?? at.key), hint });

  // A name that breaks LXD's rules (propertyNames -> pattern); the wrapper error adds nothing.
  if (e.keyword === 'propertyNames') return null;
  // A failed if/then is reported by the then-branch's own finding (a missing key).
  if (e.keyword === 'if') return null;
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const keyNode = lookup(file, [...segs, name]).key;
    const section = segs.length === 1 && isSection(segs[0]) ? segs[0] : undefined;
    const msg = section ? (hintsOf(section)?.nameProblem?.(name) ?? null) : null;
    return mk(msg ?? `invalid name "${name}" ${describeContainer(segs)}`, keyNode);
  }

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyNode = lookup(file, [...segs, key]).key;
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const inLimits = segs[segs.length - 1] === 'limits' && segs.length === 3;
      if (segs.length === 0) return mk(`unknown top-level key "${key}"`, keyNode, unknownKeyHint(key, allowed, segs, false));
      const special = segs.length === 2 && isSection(segs[0]) ? hintsOf(segs[0])?.unknownKey?.(key, describe(segs)) : undefined;
      if (special) return mk(special.message, keyNode, special.hint);
      const where = inLimits ? `in ${ownerOf(segs)}` : describeContainer(segs);
      return mk(`unknown ${inLimits ? 'limit' : 'key'} "${key}" ${where}`, keyNode, unknownKeyHint(key, allowed, segs, inLimits));
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return mk(`missing key "${missing}" ${describeContainer(segs)}`, at.key ?? at.value, requiredHint(segs, missing));
    }
    case 'type':
      if (segs.length === 0)
        return mk(
          `a manifest file must be a mapping of sections (images:, profiles:, instances:, networks:, storage_pools:, storage_volumes:), not ${got(e.data)}`,
          at.value,
          missingSpaceHint(e.data),
        );
      // An empty value has no text of its own to point at: point at its key.
      return mk(
        `${describe(segs)} must be ${expected((e.params as { type: unknown }).type)}, not ${got(e.data)}`,
        e.data === null ? at.key : at.value,
        typeHint(segs, e),
      );
    case 'enum': {
      const allowedValues = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return mk(
        `${describe(segs)} must be one of ${allowedValues.join(', ')}, not ${got(e.data)}`,
        at.value,
        typeof e.data === 'string' ? didYouMean(e.data, allowedValues) : undefined,
      );
    }
    case 'pattern': {
      // The pattern itself says little to a person: the field's description says what is expected.
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return mk(`${describe(segs)} is not valid: ${got(e.data)} does not match ${String((e.params as { pattern: string }).pattern)}`, at.value, description);
    }
    case 'minLength':
      return mk(`${describe(segs)} must not be empty`, at.value ?? at.key);
    case 'uniqueItems': {
      // ajv scans from the end: j is the later of the two equal items.
      const { j } = e.params as { i: number; j: number };
      const items = Array.isArray(e.data) ? e.data : [];
      return mk(
        `"${String(items[j])}" is listed twice in ${describe(segs)}`,
        lookup(file, [...segs, String(j)]).value,
        'LXD applies each profile once: remove the repeat',
      );
    }
    default:
      return mk(`${describe(segs)}: ${e.message ?? 'is not valid'}`, at.value);
  }
}

/** "image:busybox" where a mapping was expected: YAML needs a space after the colon. */
function missingSpaceHint(data: unknown): string | undefined {
  const m = typeof data === 'string' ? /^([^\s:]+):(\S.*)$/.exec(data) : null;
  return m ? `a key needs a space after its colon: write "${m[1]}: ${m[2]}"` : undefined;
}

function typeHint(segs: string[], e: ErrorObject): string | undefined {
  const want = (e.params as { type: unknown }).type;
  if ((want === 'object' || (Array.isArray(want) && want.includes('object'))) && missingSpaceHint(e.data)) return missingSpaceHint(e.data);
  if (want === 'boolean' && typeof e.data === 'string' && /^(yes|no|on|off|y|n)$/i.test(e.data))
    return 'YAML 1.2 reads yes/no/on/off as text: write true or false';
  if (segs[segs.length - 2] === 'config' || segs[segs.length - 3] === 'devices' || segs[segs.length - 2] === 'limits') {
    if (e.data === null) return 'write "" for an empty string, or remove the key';
    return 'values are single strings: quote text that YAML would read as a list or mapping, e.g. "[a, b]"';
  }
  return undefined;
}

function unknownKeyHint(key: string, allowed: string[], segs: string[], inLimits: boolean): string | undefined {
  if (key === '<<') return 'YAML merge keys (<<) are not supported: repeat the keys, or share a whole block with an alias (*name)';
  const dym = didYouMean(key, allowed);
  if (dym) return dym;
  // In an object whose kind takes limits: or config: (its schema definition says), a key that belongs there.
  const inObject = segs.length === 2 && isSection(segs[0]);
  if (inObject && allowed.includes('limits') && LIMITS[key]) return `"${key}" is a limit: put it under limits:`;
  if (inObject && allowed.includes('config') && key.includes('.')) return `LXD config keys go under config:`;
  if (inLimits) {
    if (key.startsWith('limits.')) return `inside limits: leave out the "limits." prefix${LIMITS[key.slice(7)] ? `: write "${key.slice(7)}"` : ''}`;
    return `known limits: ${Object.keys(LIMITS).join(', ')}; other LXD keys go under config: (as limits.${key})`;
  }
  if (segs.length === 0) {
    if (allowed.includes(`storage_${key}`)) return `did you mean "storage_${key}"?`;
    return 'a manifest has images:, profiles:, instances:, networks:, storage_pools:, storage_volumes:, projects: and project:';
  }
  return allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined;
}

function requiredHint(segs: string[], missing: string): string | undefined {
  if (missing === 'type' && segs[segs.length - 2] === 'devices') return 'every device needs a type, e.g. type: disk or type: nic';
  const hints = segs.length === 2 && isSection(segs[0]) ? hintsOf(segs[0])?.requiredHints : undefined;
  if (hints && Object.hasOwn(hints, missing)) return hints[missing];
  return undefined;
}
