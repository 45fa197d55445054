#!/usr/bin/env node
// Runs three groups - lint (test/lint.mjs: ESLint and prettier --check, one test per file per
// tool), then the compiled uvu suites (dist/test): unit tests, then the integration tests against
// the real LXD daemon - and ends with one line "N passed, N failed" added up from each group's
// uvu-style totals.
// Usage: node test/run.mjs [lint|unit|integration] [file-pattern]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
const only = process.argv[2];
// A name pattern selects among the compiled test files only (not their .map files).
const pattern = process.argv[3] ? `(?:${process.argv[3]}).*\\.test\\.js$` : '\\.test\\.js$';

// For lint the pattern is a regex on the repository-relative source paths, as given.
const lint = path.join(root, 'test', 'lint.mjs');

const groups = [
  { name: 'lint', dir: null, argv: [lint, ...(process.argv[3] ? [process.argv[3]] : [])] },
  { name: 'unit', dir: 'dist/test', argv: [uvu, 'dist/test', pattern, '-i', 'integration'] },
  { name: 'integration', dir: 'dist/test/integration', argv: [uvu, 'dist/test/integration', pattern] },
].filter((g) => !only || g.name === only);

function runGroup(g) {
  return new Promise((resolve) => {
    if (g.dir && !existsSync(path.join(root, g.dir))) return resolve({ total: 0, passed: 0, skipped: 0, crashed: `${g.dir} missing: run npm run build` });
    const child = spawn(process.execPath, g.argv, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(process.env.NO_COLOR ? {} : { FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }) },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('close', (code) => {
      const plain = stripVTControlCharacters(out);
      const num = (label) => {
        const m = plain.match(new RegExp(`${label}:\\s+(\\d+)`));
        return m ? Number(m[1]) : null;
      };
      const total = num('Total');
      const passed = num('Passed');
      const skipped = num('Skipped') ?? 0;
      if (total === null || passed === null)
        return resolve({ total: 0, passed: 0, skipped: 0, crashed: `${g.name} exited ${code} before printing its totals` });
      // uvu stops a file at its first throwing suite; a non-zero exit with all "passed" still is a failure.
      resolve({ total, passed, skipped, crashed: code !== 0 && total === passed ? `${g.name} exited ${code}` : null });
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const g of groups) {
  process.stdout.write(`\n== ${g.name} tests (${g.dir}) ==\n`);
  const r = await runGroup(g);
  passed += r.passed;
  skipped += r.skipped;
  failed += r.total - r.passed - r.skipped;
  if (r.crashed) {
    failed += 1;
    process.stdout.write(`\n${g.name}: ${r.crashed}\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
