/**
 * schemas/manifest.schema.json is assembled (scripts/assemble-schema.mjs) from
 * src/manifest/schema.base.json and each kind's src/resources/<kind>/schema.json, in the
 * registry's order. Editors read the committed file, so it must be exactly what the script
 * writes; and the split out of the one hand-written file (issue 12) changed no meaning: every
 * top-level key and definition the schema had is still there, identical down to the order of
 * its keys (which the hints read: "allowed keys: ..."); only the order of the top-level keys
 * and of the definitions follows the registry now, and a $comment says where the file comes from.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KINDS } from '../../src/resources/registry.js';
import { repoRoot } from './helpers.js';

const ROOT = repoRoot();
const script = (await import(pathToFileURL(path.join(ROOT, 'scripts/assemble-schema.mjs')).href)) as {
  assembleSchema(kinds: readonly string[], root?: string): string;
  fragmentFiles(kinds: readonly string[], root?: string): string[];
};
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
type Schema = Record<string, unknown> & { properties?: Record<string, unknown>; definitions?: Record<string, unknown>; $comment?: unknown };
const schemaAt = (rel: string) => JSON.parse(read(rel)) as Schema;

test("the committed schemas/manifest.schema.json is the one assembled from the base and the kinds' fragments", () => {
  assert.ok(
    read('schemas/manifest.schema.json') === script.assembleSchema(KINDS),
    'schemas/manifest.schema.json differs from its parts: run node scripts/assemble-schema.mjs (npm run build does) and commit the result',
  );
});

test("the top-level keys follow the registry: the base's first, then each kind's section in the registry's order", () => {
  const order = (rel: string) => Object.keys(schemaAt(rel).properties ?? {});
  const expected = [...order('src/manifest/schema.base.json'), ...script.fragmentFiles(KINDS).flatMap(order)];
  assert.equal(Object.keys(schemaAt('schemas/manifest.schema.json').properties ?? {}), expected);
});

/** A scratch tree with a base and fragments, to see what the assembler refuses. */
function scratch(fragments: Record<string, unknown>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lxplan-schema-'));
  const write = (rel: string, v: unknown) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), JSON.stringify(v));
  };
  write('src/manifest/schema.base.json', { $schema: 'x', type: 'object', properties: { remotes: {} }, definitions: { objectName: {} } });
  for (const [folder, v] of Object.entries(fragments)) write(`src/resources/${folder}/schema.json`, v);
  return root;
}

test('the assembler refuses a key or definition defined twice, other keys in a fragment, and a folder the registry lacks', () => {
  assert.throws(
    () => script.assembleSchema(['a', 'b'], scratch({ a: { properties: { as: {} } }, b: { properties: { as: {} } } })),
    /properties\.as is defined in src\/resources\/a\/schema\.json/,
  );
  assert.throws(
    () => script.assembleSchema(['a'], scratch({ a: { definitions: { objectName: {} } } })),
    /definitions\.objectName is defined in src\/manifest\/schema\.base\.json/,
  );
  assert.throws(() => script.assembleSchema(['a'], scratch({ a: { properties: {}, required: ['as'] } })), /only properties and definitions, not required/);
  assert.throws(() => script.assembleSchema(['a'], scratch({ a: {}, stray: {} })), /src\/resources\/stray\/schema\.json: no kind of the registry/);
  const text = script.assembleSchema(['b_c', 'a'], scratch({ a: { properties: { as: {} } }, 'b-c': { properties: { bcs: {} } } }));
  assert.equal(Object.keys((JSON.parse(text) as Schema).properties ?? {}), ['remotes', 'bcs', 'as']);
});

test.run();
