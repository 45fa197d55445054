/**
 * docs/manifest.md is the reference for every key. Each kind documents its keys in its own
 * src/resources/<kind>/README.md, which scripts/assemble-manifest-docs.mjs writes into the page
 * between two marker lines: the committed page must be what the script writes (edit the README,
 * not the page). Each kind's key table lists exactly the keys its schema fragment
 * (src/resources/<kind>/schema.json) allows, no more, no fewer; likewise the remotes: table of
 * the page for the base schema. A key added to the schema without a row (or a row for a key the
 * schema no longer has) fails here, so the two cannot drift.
 *
 * A row names its keys in backticks in its first cell (`public`; `source.metadata`;
 * `source.remote`, `source.alias` / `source.fingerprint`). A key with keys of its own (image
 * `source`) is documented either as one row (`source`) or key by key (`source.X` for every X).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KINDS } from '../../src/resources/registry.js';
import { repoRoot } from './helpers.js';

const ROOT = repoRoot();
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const DOC = read('docs/manifest.md');
const SCHEMA = JSON.parse(read('schemas/manifest.schema.json')) as { definitions: Record<string, Node>; properties: Record<string, Node> };
const docs = (await import(pathToFileURL(path.join(ROOT, 'scripts/assemble-manifest-docs.mjs')).href)) as {
  assembleManifestDocs(kinds: readonly string[], root?: string): string;
  readmeOf(kind: string): string;
};

interface Node {
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  $ref?: string;
}

/** The schema of one object of a top-level section: what its additionalProperties refer to (images: -> image), or the section itself (server:). */
function objectSchema(section: Node): Node {
  const ref = typeof section.additionalProperties === 'object' ? section.additionalProperties.$ref : undefined;
  return ref ? SCHEMA.definitions[ref.replace('#/definitions/', '')] : section;
}

/** The keys named in the first cell of each row of the `n`th `| key |` table after line `start` (before the next `## `). */
function tableKeys(lines: string[], start: number, n: number, where: string): string[] {
  const heads = lines.map((l, i) => (i > start && l.startsWith('| key |') ? i : -1)).filter((i) => i >= 0);
  const nextSection = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const head = heads[n];
  assert.ok(head !== undefined && (nextSection < 0 || head < nextSection), `no key table ${n + 1} in ${where}`);
  const keys: string[] = [];
  for (let i = head + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const first = lines[i].split(' | ')[0];
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

function checkTable(schema: Node, documented: string[], what: string): void {
  const allowed = schemaKeys(schema, documented);
  assert.equal(
    allowed.filter((k) => !documented.includes(k)),
    [],
    `keys of the schema missing from the ${what} table`,
  );
  assert.equal(
    documented.filter((k) => !allowed.includes(k)),
    [],
    `keys in the ${what} table that the schema does not have`,
  );
}

test("docs/manifest.md holds every kind's README as it is", () => {
  for (const kind of KINDS)
    assert.ok(existsSync(path.join(ROOT, docs.readmeOf(kind))), `${docs.readmeOf(kind)} is missing: each kind documents its keys there`);
  assert.ok(
    DOC === docs.assembleManifestDocs(KINDS),
    "docs/manifest.md differs from the kinds' READMEs: edit src/resources/<kind>/README.md, then run node scripts/assemble-manifest-docs.mjs and commit both",
  );
});

for (const kind of KINDS) {
  const fragment = `src/resources/${kind.replace(/_/g, '-')}/schema.json`;
  if (!existsSync(path.join(ROOT, fragment))) continue;
  const sections = Object.keys((JSON.parse(read(fragment)) as Node).properties ?? {});
  sections.forEach((section, n) => {
    test(`${docs.readmeOf(kind)}'s table for ${section} has exactly the schema's keys`, () => {
      const readme = read(docs.readmeOf(kind)).split('\n');
      checkTable(objectSchema(SCHEMA.properties[section]), tableKeys(readme, -1, n, docs.readmeOf(kind)), section);
    });
  });
}

test("docs/manifest.md's remotes table has exactly the schema's keys", () => {
  const lines = DOC.split('\n');
  const start = lines.findIndex((l) => l.startsWith('## remotes'));
  assert.ok(start >= 0, 'docs/manifest.md has no ## remotes');
  checkTable(objectSchema(SCHEMA.properties.remotes), tableKeys(lines, start, 0, '## remotes'), 'remotes');
});

test("every top-level key of the schema is a kind's section checked here, remotes, or a directory-wide key (project, remote, backend)", () => {
  const ofKinds = KINDS.flatMap((k) => {
    const fragment = `src/resources/${k.replace(/_/g, '-')}/schema.json`;
    return existsSync(path.join(ROOT, fragment)) ? Object.keys((JSON.parse(read(fragment)) as Node).properties ?? {}) : [];
  });
  assert.equal(
    Object.keys(SCHEMA.properties).filter((k) => !ofKinds.includes(k) && k !== 'remotes'),
    ['project', 'remote', 'backend'],
  );
  for (const key of ['project', 'remote', 'backend'])
    assert.ok(DOC.includes(`**\`${key}:\`** (top level)`), `docs/manifest.md documents the top-level ${key}:`);
});

test.run();
