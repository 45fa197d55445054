/**
 * The corpus of broken manifests (test/corpus/<NNN-name>/): every case gives exactly one
 * error, of the expected kind, and its first line (plus the hint, where expected.txt has one)
 * is exactly what expected.txt says. The loader runs from the repository root, so paths read
 * "test/corpus/<case>/lxplan.yaml" as the CLI prints them from there.
 *
 * Cases too big to commit (a 50 MB file, 100,000 instances, 100,000 levels of nesting) are
 * generated below into a temporary folder; they must fail fast and in bounded memory.
 *
 * case.json of a case: {"code": ...} the expected error code; "references": true to run
 * checkReferencesOffline (with nothing known in LXD) after a successful load; "target": a path
 * inside the case folder to load instead of the folder; {"valid": true} for boundary cases that
 * must load (an empty file is a valid, empty configuration).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ErrorCode, LxplanError } from '../../src/errors.js';
import { checkReferencesOffline, loadManifests } from '../../src/manifest/index.js';
import { loadError, repoRoot, tree } from './helpers.js';

interface CaseMeta {
  code?: ErrorCode;
  references?: boolean;
  target?: string;
  valid?: boolean;
}

const ROOT = repoRoot();
const CORPUS = 'test/corpus';
const NOTHING_KNOWN = { profiles: new Set<string>(), images: new Set<string>() };
const names = readdirSync(path.join(ROOT, CORPUS))
  .filter((n) => /^\d{3}-/.test(n))
  .sort();
const meta = (name: string): CaseMeta => JSON.parse(readFileSync(path.join(ROOT, CORPUS, name, 'case.json'), 'utf8')) as CaseMeta;

let prevCwd = '';
test.before(() => {
  prevCwd = process.cwd();
  process.chdir(ROOT);
});
test.after(() => {
  process.chdir(prevCwd);
});

/** The one error a case gives: from the loader, or from the reference check after a clean load. */
async function caseError(dir: string, m: CaseMeta): Promise<LxplanError> {
  const target = m.target ? `${dir}/${m.target}` : dir;
  if (!m.references) return loadError(target);
  const errors = checkReferencesOffline(await loadManifests(target), NOTHING_KNOWN);
  assert.is(errors.length, 1, `expected one reference error, got:\n${errors.map((e) => e.describe()).join('\n')}`);
  return errors[0];
}

test('the corpus: at least 100 broken manifests, every kind of manifest error represented', () => {
  const metas = names.map(meta);
  const broken = metas.filter((m) => !m.valid);
  assert.ok(broken.length >= 100, `${broken.length} broken cases`);
  const codes = new Set(broken.map((m) => m.code));
  assert.equal([...codes].sort(), ['manifest.duplicate', 'manifest.io', 'manifest.reference', 'manifest.schema', 'manifest.syntax', 'manifest.value']);
  for (const n of names) {
    const m = meta(n);
    assert.is(existsSync(path.join(ROOT, CORPUS, n, 'expected.txt')), !m.valid, `${n}: expected.txt iff the case is broken`);
  }
});

for (const name of names) {
  const dir = `${CORPUS}/${name}`;
  const m = meta(name);
  if (m.valid) {
    test(`${name}: loads (valid)`, async () => {
      const manifest = await loadManifests(dir);
      assert.equal(checkReferencesOffline(manifest, NOTHING_KNOWN), []);
      assert.equal(Object.keys(manifest.instances), []);
    });
    continue;
  }
  test(`${name}: one ${m.code} error, exactly as expected.txt`, async () => {
    const expectedPath = path.join(ROOT, dir, 'expected.txt');
    const expected = readFileSync(expectedPath, 'utf8').replace(/\n$/, '').split('\n');
    const err = await caseError(dir, m);
    const described = err.describe().split('\n');
    // After a deliberate change of wording: LXPLAN_CORPUS_UPDATE=1 rewrites expected.txt (same
    // number of lines); review the diff before committing it.
    if (process.env.LXPLAN_CORPUS_UPDATE === '1') writeFileSync(expectedPath, described.slice(0, expected.length).join('\n') + '\n');
    else assert.equal(described.slice(0, expected.length), expected, `${name}: got\n${[err, ...err.more].map((e) => e.describe()).join('\n')}`);
    assert.is(err.code, m.code);
    assert.is(err.more.length, 0, `${name}: more than one error:\n${[err, ...err.more].map((e) => e.describe()).join('\n')}`);
    // A located error points into this case's own files.
    if (err.location) assert.ok(err.location.file.startsWith(`${dir}/`), err.location.file);
  });
}

// ---- generated cases: too big to commit ----

/** A fresh temp folder for one generated case; removed afterwards even on failure. */
async function generated(files: Record<string, string | Buffer>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tree({});
  try {
    for (const [rel, content] of Object.entries(files)) await writeFile(path.join(dir, rel), content);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timed<T>(limitMs: number, what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await fn();
  const ms = Date.now() - t0;
  assert.ok(ms < limitMs, `${what} took ${ms} ms (limit ${limitMs} ms)`);
  return r;
}

test('a 50 MB manifest is refused before it is read or parsed', () =>
  generated({ 'lxplan.yaml': Buffer.alloc(50 * 1024 * 1024, '# padding, not YAML anyone wrote by hand\n') }, async (dir) => {
    const e = await timed(5000, 'refusing 50 MB', () => loadError(dir));
    assert.is(e.code, 'manifest.io');
    assert.is(e.more.length, 0);
    assert.is(
      e.describe(),
      `manifest file ${dir}/lxplan.yaml is too big (50 MiB); lxplan reads manifest files of at most 4 MiB\n  hint: a manifest is hand-written YAML: check that this is the file you meant, or split the configuration into several files in the same directory`,
    );
  }));

test('a manifest of 4 MiB + 1 byte is refused, one of exactly 4 MiB is read', async () => {
  const limit = 4 * 1024 * 1024;
  const head = 'profiles:\n  small: {}\n';
  const pad = (n: number) => head + '#'.repeat(n - head.length - 1) + '\n';
  await generated({ 'lxplan.yaml': pad(limit + 1) }, async (dir) => {
    const e = await loadError(dir);
    assert.is(e.message, `manifest file ${dir}/lxplan.yaml is too big (4 MiB); lxplan reads manifest files of at most 4 MiB`);
  });
  await generated({ 'lxplan.yaml': pad(limit) }, async (dir) => {
    assert.equal(Object.keys((await loadManifests(dir)).profiles), ['small']);
  });
});

test('a device that never ends (/dev/zero) is not read', async () => {
  const e = await timed(5000, '/dev/zero', () => loadError('/dev/zero'));
  assert.is(e.code, 'manifest.io');
  assert.is(e.describe(), 'manifest path "/dev/zero" is neither a file nor a directory\n  hint: give a manifest file or a directory of *.yaml files');
});

test('a FIFO given as the manifest is not opened (it would block)', () =>
  generated({}, async (dir) => {
    const fifo = path.join(dir, 'pipe.yaml');
    const r = spawnSync('mkfifo', [fifo]);
    if (r.status !== 0) {
      console.log('  skipped: mkfifo not available');
      return;
    }
    const e = await timed(5000, 'FIFO', () => loadError(fifo));
    assert.is(e.message, `manifest path "${fifo}" is neither a file nor a directory`);
    // In a directory, a FIFO named *.yaml is skipped like any non-file.
    await writeFile(path.join(dir, 'real.yaml'), 'profiles:\n  small: {}\n');
    assert.equal(Object.keys((await loadManifests(dir)).profiles), ['small']);
  }));

test('100,000 instances with one bad value at the end: one located error, in bounded time and memory', () => {
  const n = 100_000;
  const lines = ['instances:'];
  for (let i = 0; i < n; i++) lines.push(`  c${i}: {image: busybox}`);
  lines.push('  last: {image: busybox, limits: {memory: 12XB}}');
  return generated({ 'lxplan.yaml': lines.join('\n') + '\n' }, async (dir) => {
    const e = await timed(30_000, 'loading 100,000 instances', () => loadError(dir));
    const heapMB = process.memoryUsage().heapUsed / 1e6;
    assert.ok(heapMB < 1500, `heap ${Math.round(heapMB)} MB`);
    assert.is(e.more.length, 0);
    assert.is(e.code, 'manifest.value');
    assert.is(
      e.describe().split('\n')[0],
      `${dir}/lxplan.yaml:${n + 2}:43: invalid size "12XB" for limits.memory: use a number with a unit like 512MB or 1GiB, or a percentage like 50%`,
    );
  });
});

test('100,000 levels of flow nesting: refused at level 65, without building the tree', () =>
  generated({ 'lxplan.yaml': 'instances: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n' }, async (dir) => {
    const e = await timed(5000, 'deep flow nesting', () => loadError(dir));
    assert.is(e.code, 'manifest.syntax');
    assert.is(e.more.length, 0);
    // "instances" is level 1, the first "[" level 2: the 64th "[" (column 12 + 63) is level 65.
    assert.is(e.describe().split('\n')[0], `${dir}/lxplan.yaml:1:75: YAML nested too deeply: more than 64 levels of lists and mappings inside each other`);
  }));

test('a 4 MB file of "{a: " (gigabytes of parse tree if built) is refused at once', () =>
  generated({ 'lxplan.yaml': '{a: '.repeat(1_000_000) }, async (dir) => {
    const e = await timed(5000, 'deep flow mappings', () => loadError(dir));
    assert.is(e.describe().split('\n')[0], `${dir}/lxplan.yaml:1:257: YAML nested too deeply: more than 64 levels of lists and mappings inside each other`);
  }));

test('100,000 nested block sequences ("- - - ...") are refused at level 65', () =>
  generated({ 'lxplan.yaml': 'instances:\n  web-1:\n    profiles:\n      ' + '- '.repeat(100_000) + 'x\n' }, async (dir) => {
    const e = await timed(5000, 'deep block sequences', () => loadError(dir));
    assert.is(e.code, 'manifest.syntax');
    assert.is(e.more.length, 0);
    // Three block levels above, so the 62nd "-" (column 7 + 2 * 61) is level 65.
    assert.is(e.describe().split('\n')[0], `${dir}/lxplan.yaml:4:129: YAML nested too deeply: more than 64 levels of lists and mappings inside each other`);
  }));

test('a billion-laughs bomb in a real section fails fast, at its first alias', () => {
  const lines = ['profiles:', '  small:', '    config:', '      user.l0: &l0 "lol"'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `      user.l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return generated({ 'lxplan.yaml': lines.join('\n') + '\n' }, async (dir) => {
    const e = await timed(5000, 'alias bomb', () => loadError(dir));
    assert.is(e.more.length, 0);
    assert.is(e.describe().split('\n')[0], `${dir}/lxplan.yaml:5:21: too many YAML alias expansions (more than 100); refusing to expand them`);
  });
});

test('50 files in a directory, each with the same error: every one reported, sorted, no cross-talk', () =>
  generated(
    Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`m${String(i).padStart(2, '0')}.yaml`, `instances:\n  web-${i}:\n    image: busybox\n    limits: {cpu: 0}\n`]),
    ),
    async (dir) => {
      const e = await loadError(dir);
      const all = [e, ...e.more];
      assert.is(all.length, 50);
      assert.equal(
        all.map((x) => `${x.location?.file}:${x.location?.line}:${x.location?.col}`),
        Array.from({ length: 50 }, (_, i) => `${dir}/m${String(i).padStart(2, '0')}.yaml:4:19`),
      );
    },
  ));

test('a manifest path of a folder the loader cannot list is a clear manifest.io error', async () => {
  const dir = await tree({});
  const notDir = path.join(dir, 'file.txt');
  await writeFile(notDir, 'x');
  try {
    const e = await loadError(path.join(notDir, 'lxplan.yaml'));
    assert.is(e.code, 'manifest.io');
    assert.match(e.message, `cannot read manifest path "${path.join(notDir, 'lxplan.yaml')}": ENOTDIR`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
