#!/usr/bin/env node
// Writes each kind's src/resources/<kind>/README.md (its keys table and the short prose around
// it) into docs/manifest.md, between the two marker lines that name that README: the README is
// the one place to edit, docs/manifest.md the one page to read (its order, and the prose that is
// about no single kind, stay the page's own). A kind of the registry (read from dist: run tsc
// first) without a README, a README without its markers in docs/manifest.md, and markers for a
// README that does not exist are errors. test/manifest/docs-tables.test.ts fails when the
// committed page differs from what this script writes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DOC_FILE = 'docs/manifest.md';
const folderOf = (kind) => kind.replace(/_/g, '-');
export const readmeOf = (kind) => `src/resources/${folderOf(kind)}/README.md`;
const begin = (readme) => `<!-- ${readme}: edit it there, then run node scripts/assemble-manifest-docs.mjs -->`;
const end = (readme) => `<!-- end of ${readme} -->`;

/** docs/manifest.md with every kind's README between its markers. */
export function assembleManifestDocs(kinds, root = ROOT) {
  let lines = readFileSync(path.join(root, DOC_FILE), 'utf8').split('\n');
  const named = new Set(lines.flatMap((l) => /^<!-- (src\/resources\/[^ ]+\/README\.md)[: ]/.exec(l)?.[1] ?? []));
  for (const readme of named) {
    if (!kinds.some((k) => readmeOf(k) === readme)) throw new Error(`${DOC_FILE} has markers for ${readme}, which is no kind's README`);
  }
  for (const kind of kinds) {
    const readme = readmeOf(kind);
    if (!existsSync(path.join(root, readme))) throw new Error(`${readme} is missing: each kind documents its keys there`);
    const from = lines.indexOf(begin(readme));
    const to = lines.indexOf(end(readme));
    if (from < 0 || to < from || lines.indexOf(begin(readme), from + 1) >= 0) {
      throw new Error(`${DOC_FILE} needs the lines\n${begin(readme)}\n${end(readme)}\nonce each, where the section of ${kind} goes`);
    }
    const text = readFileSync(path.join(root, readme), 'utf8').replace(/\n$/, '').split('\n');
    lines = [...lines.slice(0, from + 1), ...text, ...lines.slice(to)];
  }
  return lines.join('\n');
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { KINDS } = await import(pathToFileURL(path.join(ROOT, 'dist/src/resources/registry.js')).href);
  writeFileSync(path.join(ROOT, DOC_FILE), assembleManifestDocs(KINDS));
}
