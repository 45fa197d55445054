#!/usr/bin/env node
// Runs three groups - lint (test/lint.mjs: ESLint and prettier --check, one test per file per
// tool), then the compiled uvu suites (dist/test): unit tests, then the integration tests against
// the real daemons - and ends with one line "N passed, N failed" added up from each group's
// uvu-style totals.
//
// The integration group runs once per local daemon that answers: against LXD (its socket:
// LXD_SOCKET, LXD_DIR, /var/lib/lxd, the snap's) and against Incus (INCUS_SOCKET, INCUS_DIR,
// /var/lib/incus, /run/incus), each pass with LXD_SOCKET pointing at that daemon. The tests that
// do not depend on the machine's daemon (they start a throwaway LXD daemon of their own, or talk to
// the second LXD on :8444 only: LXD_ONLY below) run once, in the LXD pass. A daemon that does
// not answer is left out, saying so and why. LXD_SOCKET, LXD_DIR, INCUS_SOCKET or INCUS_DIR set
// by the caller choose one daemon: one pass, against it.
// Usage: node test/run.mjs [lint|unit|integration] [file-pattern]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
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

/**
 * Integration tests that run once, in the LXD pass (a pattern on the file names):
 *  - they do not use the machine's daemon: they start a throwaway LXD daemon of their own
 *    (test/integration/throwaway-daemon.ts starts `lxd` only: an Incus daemon starts differently,
 *    incusd with INCUS_DIR) or talk to the second LXD (scripts/lxd2-up.sh) or the LXD cluster only,
 *    or to both daemons by their own sockets (incus-roundtrip);
 *  - or what they test is lxplan's own, not the daemon's, and costs minutes a pass: the state lock
 *    raced 100 times (concurrency), lxapply killed at 50 random points (chaos), SIGINT mid-apply
 *    (interrupt), the broken-manifest corpus refused before anything is written (corpus-cli). On
 *    Incus the same containers are made, changed and deleted by the other files.
 */
const LXD_ONLY = [
  'throwaway-daemon',
  'daemon-restart',
  'daemon-state',
  'remote-https',
  'examples',
  'server',
  'incus-roundtrip',
  'cluster',
  'pg-state',
  'shared-state-race',
  'concurrency',
  'chaos',
  'interrupt',
  'corpus-cli',
  // The second LXD and the cluster are what these test (the state bound to its server, the hosted-CI example): once.
  'server-binding',
  'ci-example',
];

/** What GET /1.0 on a unix socket says (undefined: nothing answers there). */
function probe(socket) {
  return new Promise((resolve) => {
    if (!existsSync(socket)) return resolve({ why: `no socket at ${socket}` });
    const req = http.get({ socketPath: socket, path: '/1.0', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          const env = JSON.parse(body).metadata?.environment ?? {};
          resolve({ server: env.server === 'incus' ? 'Incus' : 'LXD', version: env.server_version ?? '' });
        } catch {
          resolve({ why: `${socket} answered something else than a daemon's /1.0` });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', (e) => resolve({ why: `nothing answers at ${socket} (${e.code ?? e.message})` }));
  });
}

const CHOSEN = ['LXD_SOCKET', 'LXD_DIR', 'INCUS_SOCKET', 'INCUS_DIR'].filter((v) => process.env[v]);
const firstExisting = (paths) => paths.find((p) => existsSync(p)) ?? paths[0];

/** The integration passes: one per daemon that answers (or the one the environment chooses), and the daemons left out, with why. */
async function integrationPasses() {
  const base = { name: 'integration', dir: 'dist/test/integration' };
  if (CHOSEN.length > 0) {
    process.stdout.write(`\nintegration: ${CHOSEN.map((v) => `${v}=${process.env[v]}`).join(', ')} chooses the daemon: one pass, against it\n`);
    return [{ ...base, argv: [uvu, 'dist/test/integration', pattern] }];
  }
  const daemons = [
    { word: 'LXD', socket: firstExisting(['/var/lib/lxd/unix.socket', '/var/snap/lxd/common/lxd/unix.socket']), up: 'scripts/lxd-up.sh' },
    { word: 'Incus', socket: firstExisting(['/var/lib/incus/unix.socket', '/run/incus/unix.socket']), up: 'scripts/incus-up.sh' },
  ];
  const passes = [];
  const found = await Promise.all(daemons.map(async (d) => ({ ...d, ...(await probe(d.socket)) })));
  for (const d of found) {
    if (d.why) {
      process.stdout.write(`\nintegration: ${d.word} left out: ${d.why} (${d.up} starts one)\n`);
      continue;
    }
    if (d.server !== d.word) {
      process.stdout.write(`\nintegration: ${d.word} left out: ${d.socket} is ${d.server}'s\n`);
      continue;
    }
    passes.push(d);
  }
  const hasLxd = passes.some((d) => d.word === 'LXD');
  return passes.map((d) => ({
    ...base,
    name: `integration on ${d.word} ${d.version}`,
    // LXD_ONLY runs in the LXD pass; on a machine with Incus alone, in the Incus pass (where they may fail: they need lxd).
    argv: [uvu, 'dist/test/integration', pattern, ...(d.word !== 'LXD' && hasLxd ? ['-i', `(?:${LXD_ONLY.join('|')})\\.test`] : [])],
    env: { LXD_SOCKET: d.socket, LXPLAN_TEST_DAEMON: d.word.toLowerCase() },
  }));
}

const groups = [
  { name: 'lint', dir: null, argv: [lint, ...(process.argv[3] ? [process.argv[3]] : [])] },
  { name: 'unit', dir: 'dist/test', argv: [uvu, 'dist/test', pattern, '-i', 'integration'] },
  ...(!only || only === 'integration' ? await integrationPasses() : []),
].filter((g) => !only || g.name.startsWith(only));

function runGroup(g) {
  return new Promise((resolve) => {
    if (g.dir && !existsSync(path.join(root, g.dir))) return resolve({ total: 0, passed: 0, skipped: 0, crashed: `${g.dir} missing: run npm run build` });
    const child = spawn(process.execPath, g.argv, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(process.env.NO_COLOR ? {} : { FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }), ...g.env },
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
