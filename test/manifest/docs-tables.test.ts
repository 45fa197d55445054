/**
 * docs/manifest.md is the reference for every key: each kind's key table lists exactly the keys
 * schemas/manifest.schema.json allows for that kind, no more, no fewer. A key added to the schema
 * without a row (or a row for a key the schema no longer has) fails here, so the two cannot drift.
 *
 * A row names its keys in backticks in its first cell (`public`; `source.metadata`;
 * `source.remote`, `source.alias` / `source.fingerprint`). A key with keys of its own (image
 * `source`) is documented either as one row (`source`) or key by key (`source.X` for every X).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = readFileSync(path.join(ROOT, 'docs/manifest.md'), 'utf8').split('\n');
interface Node { properties?: Record<string, Node> }

const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'schemas/manifest.schema.json'), 'utf8')) as { definitions: Record<string, Node>; properties: Record<string, Node> };

/** The kinds, as the manifest's top-level keys: where the schema has them, and the line their key table follows. */
const KINDS: Array<{ key: string; schema: Node; after: string }> = [
  { key: 'images', schema: SCHEMA.definitions.image, after: '## images' },
  { key: 'remotes', schema: SCHEMA.definitions.remote, after: '## remotes' },
  { key: 'profiles', schema: SCHEMA.definitions.profile, after: '## profiles' },
  { key: 'instances', schema: SCHEMA.definitions.instance, after: '## instances' },
  { key: 'networks', schema: SCHEMA.definitions.network, after: '## networks' },
  { key: 'storage_pools', schema: SCHEMA.definitions.storagePool, after: '## storage_pools' },
  { key: 'storage_volumes', schema: SCHEMA.definitions.storageVolume, after: '## storage_volumes' },
  { key: 'server', schema: SCHEMA.properties.server, after: '## server' },
  { key: 'projects', schema: SCHEMA.definitions.project, after: '**`projects:`**' },
];

/** The keys named in the first cell of each row of the first `| key |` table after the line `after`. */
function tableKeys(after: string): string[] {
  const start = DOC.findIndex((l) => l.startsWith(after));
  assert.ok(start >= 0, `docs/manifest.md has no line starting with ${after}`);
  const head = DOC.findIndex((l, i) => i > start && l.startsWith('| key |'));
  const nextSection = DOC.findIndex((l, i) => i > start && l.startsWith('## '));
  assert.ok(head > start && (nextSection < 0 || head < nextSection), `no key table after ${after}`);
  const keys: string[] = [];
  for (let i = head + 2; i < DOC.length && DOC[i].startsWith('|'); i++) {
    const first = DOC[i].split(' | ')[0];
    keys.push(...[...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  }
  return keys;
}

/** Every key the schema allows, as a table names it: `source` or `source.metadata` ... (see above). */
function schemaKeys(node: Node, documented: string[]): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, sub]) => {
    const byPart = documented.some((d) => d.startsWith(`${key}.`));
    return byPart && sub.properties ? Object.keys(sub.properties).map((k) => `${key}.${k}`) : [key];
  });
}

for (const kind of KINDS) {
  test(`docs/manifest.md's table for ${kind.key} has exactly the schema's keys`, () => {
    const documented = tableKeys(kind.after);
    const allowed = schemaKeys(kind.schema, documented);
    assert.equal(allowed.filter((k) => !documented.includes(k)), [], `keys of the schema missing from the ${kind.key} table`);
    assert.equal(documented.filter((k) => !allowed.includes(k)), [], `keys in the ${kind.key} table that the schema does not have`);
  });
}

test('every top-level key of the schema is a kind checked here, or the scope key', () => {
  assert.equal(Object.keys(SCHEMA.properties).filter((k) => !KINDS.some((kind) => kind.key === k)), ['project']);
});

test.run();
