#!/usr/bin/env node
// The lint group of test/run.mjs: ESLint (eslint.config.js) and prettier --check (.prettierrc,
// .prettierignore) over the repository, one test per file per tool: a file passes ESLint with no
// error or warning, and prettier when it is formatted as prettier would write it. Prints ESLint's
// findings (stylish) and the files prettier would change, then uvu-style totals for run.mjs.
// Usage: node test/lint.mjs [path-pattern]   (a regex on repository-relative paths)
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
const rel = (file) => path.relative(root, file);
const selected = (file) => !only || only.test(rel(file));

// ESLint: every file the config lints (ignores in eslint.config.js).
const eslint = new ESLint({ cwd: root });
const results = (await eslint.lintFiles(['.'])).filter((r) => selected(r.filePath));
const eslintFailed = results.filter((r) => r.errorCount + r.fatalErrorCount + r.warningCount > 0);
const stylish = await eslint.loadFormatter('stylish');
process.stdout.write(`eslint: ${results.length} files, ${eslintFailed.length} with findings\n`);
if (eslintFailed.length) process.stdout.write(await stylish.format(eslintFailed));

// Prettier: the files `prettier --check .` takes: every file under the root with a parser, outside .gitignore and .prettierignore.
async function* walk(dir) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (['.git', 'node_modules'].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}
const ignorePath = [path.join(root, '.gitignore'), path.join(root, '.prettierignore')];
let prettierChecked = 0;
const unformatted = [];
for await (const file of walk(root)) {
  if (!selected(file)) continue;
  const info = await prettier.getFileInfo(file, { ignorePath });
  if (info.ignored || !info.inferredParser) continue;
  prettierChecked += 1;
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  if (!(await prettier.check(await readFile(file, 'utf8'), options))) unformatted.push(rel(file));
}
process.stdout.write(`prettier: ${prettierChecked} files, ${unformatted.length} not formatted\n`);
for (const f of unformatted.sort()) process.stdout.write(`  ${f}: not as prettier writes it (npx prettier --write ${f})\n`);

const total = results.length + prettierChecked;
const failed = eslintFailed.length + unformatted.length;
process.stdout.write(`\n  Total:     ${total}\n  Passed:    ${total - failed}\n  Skipped:   0\n`);
process.exitCode = failed ? 1 : 0;
