/**
 * The state file under faults: a full disk (a real 64 KiB tmpfs, so the kernel says ENOSPC),
 * a file cut in the middle, corrupt bytes, a version from the future, a directory in its
 * place. Each gives one clear error naming the file; nothing half-written is left behind and
 * the last good state (and its .backup) survive.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LxplanError } from '../../src/errors.js';
import { parse, serialize, StateManager, withEntry, type State } from '../../src/state/index.js';
import { entry, inTempDir, lxplanError } from './helpers.js';

const open = (p: string, lock = true) => StateManager.open(p, { operation: 'apply', lock });

/** Two saves, so the file holds serial 2 and the .backup serial 1. */
async function twoSaves(p: string): Promise<State> {
  const m = await open(p);
  try {
    await m.save(withEntry(m.state, 'profile.a', entry('profile.a')));
    return await m.save(withEntry(m.state, 'instance.web-1', entry('instance.web-1', { fingerprint: 'f00d' })));
  } finally {
    await m.release();
  }
}

/** The files of a folder, sorted, for "nothing else was left behind" checks. */
async function files(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** Opening must fail with this error, take nothing (no lock left) and change nothing. */
async function openFails(dir: string, p: string): Promise<LxplanError> {
  const before = await files(dir);
  const bytes = await readFile(p).catch(() => undefined);
  const e = await lxplanError(() => open(p));
  assert.equal(await files(dir), before, 'no lock, temp or backup file left behind');
  if (bytes) assert.equal(await readFile(p), bytes, 'the state file is untouched');
  return e;
}

/** Writes 4 KiB blocks to `file` until the file system says ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

/** Runs `fn` in a fresh 64 KiB tmpfs; always unmounted and removed afterwards. */
async function inTinyTmpfs(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lxplan-enospc-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs on ${dir} (these tests run as root): ${(e as Error).message}`);
  }
  try {
    await fn(dir);
  } finally {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

test('full disk: state.io naming the path and ENOSPC; the last good state and its .backup intact; no partial file', () =>
  inTinyTmpfs(async (dir) => {
    const p = path.join(dir, 'lxplan.state.json');
    const m = await open(p);
    try {
      const s1 = await m.save(withEntry(m.state, 'profile.a', entry('profile.a')));
      const s2 = await m.save(withEntry(s1, 'profile.b', entry('profile.b')));
      const good = await readFile(p, 'utf8');
      // Fill the disk, keeping 8 KiB aside to free later.
      await writeFile(path.join(dir, 'reserve'), Buffer.alloc(8192, 0x62));
      fill(path.join(dir, 'filler'));
      const refused = async (next: State, others: string[]) => {
        const e = await lxplanError(() => m.save(next));
        assert.is(e.code, 'state.io');
        assert.is(e.message, `cannot write state file ${p}: ENOSPC: no space left on device, write`);
        assert.is(e.hint, 'the disk is full: free some space and run again; any previous state file is left unchanged');
        assert.is(await readFile(p, 'utf8'), good, 'the state file is the last good one');
        assert.is(parse(good, p).serial, 2);
        assert.is(parse(await readFile(`${p}.backup`, 'utf8'), `${p}.backup`).serial, 1, 'the backup is the state before it');
        assert.equal(m.state, s2, 'the manager still holds the last saved state');
        assert.equal(
          await files(dir),
          [...others, 'lxplan.state.json', 'lxplan.state.json.backup', 'lxplan.state.json.lock', 'lxplan.state.json.lock-info.json'].sort(),
          'no temporary file left',
        );
      };
      // Not a byte free: the temporary file cannot even start.
      await refused(withEntry(s2, 'profile.c', entry('profile.c')), ['filler', 'reserve']);
      // 8 KiB free and a 40 KB state: the write starts, and fails half way.
      await unlink(path.join(dir, 'reserve'));
      let big = m.state;
      for (let i = 0; i < 300; i++) big = withEntry(big, `instance.c${i}`, entry(`instance.c${i}`, { fingerprint: 'f'.repeat(64) }));
      assert.ok(serialize(big).length > 40_000, 'the state is bigger than the free space');
      await refused(big, ['filler']);

      // Space again: the next save works and carries on from the last good state.
      await unlink(path.join(dir, 'filler'));
      const s3 = await m.save(withEntry(m.state, 'profile.c', entry('profile.c')));
      assert.is(s3.serial, 3);
      assert.equal(Object.keys(parse(await readFile(p, 'utf8'), p).resources), ['profile.a', 'profile.b', 'profile.c']);
      assert.is(parse(await readFile(`${p}.backup`, 'utf8'), p).serial, 2);
    } finally {
      await m.release();
    }
    assert.equal(await files(dir), ['lxplan.state.json', 'lxplan.state.json.backup']);
  }));

test('full disk before the first save: state.io, and no state file appears', () =>
  inTinyTmpfs(async (dir) => {
    const p = path.join(dir, 'lxplan.state.json');
    const m = await open(p, false);
    fill(path.join(dir, 'filler'));
    const e = await lxplanError(() => m.save(withEntry(m.state, 'profile.a', entry('profile.a'))));
    assert.is(e.code, 'state.io');
    assert.match(e.message, `cannot write state file ${p}: ENOSPC`);
    assert.equal(await files(dir), ['filler']);
    assert.is(m.state.serial, 0);
    await m.release();
  }));

test('a read-only folder (a file system remounted read-only: root cannot write there either): state.io naming the path and EROFS; the last good state intact', () =>
  inTinyTmpfs(async (dir) => {
    const p = path.join(dir, 'lxplan.state.json');
    await twoSaves(p);
    const before = await readFile(p, 'utf8');
    const m = await open(p, false);
    execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
    try {
      const e = await lxplanError(() => m.update((st) => withEntry(st, 'profile.b', entry('profile.b'))));
      assert.is(e.code, 'state.io');
      assert.match(e.message, `cannot write state file ${p}: EROFS`);
      assert.is(await readFile(p, 'utf8'), before);
      assert.is(m.state.serial, 2, 'the state in memory is still the saved one');
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', dir], { stdio: 'pipe' });
      await m.release();
    }
  }));

test('truncated state file: state.format naming the file and pointing to the backup, which restores it', () =>
  inTempDir(async (dir, p) => {
    const saved = await twoSaves(p);
    const text = await readFile(p, 'utf8');
    // Cut in the middle, as a crash mid-write can leave it.
    await writeFile(p, text.slice(0, text.indexOf('"serial": ') + '"serial": '.length));
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.is(e.message, `state file ${p} is corrupt (not valid JSON: Unexpected end of JSON input); the previous good version is kept in ${p}.backup`);
    assert.is(e.hint, `check ${p}.backup and, if it is intact, copy it over ${p}`);
    // Following the hint works.
    await copyFile(`${p}.backup`, p);
    const m = await open(p);
    assert.is(m.state.serial, saved.serial - 1);
    assert.is(m.state.lineage, saved.lineage);
    await m.release();
  }));

test('a file cut inside a string: the JSON error gives line and column, not a byte offset', () =>
  inTempDir(async (dir, p) => {
    await twoSaves(p);
    const text = await readFile(p, 'utf8');
    await writeFile(p, text.slice(0, text.indexOf('"lineage"') + 8));
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.match(
      e.message,
      new RegExp(`^state file ${p} is corrupt \\(not valid JSON: .* at line 3 column \\d+\\); the previous good version is kept in ${p}\\.backup$`),
    );
    assert.not.match(e.message, 'position');
  }));

test('a changed byte in the structure: exact line and column of the damage', () =>
  inTempDir(async (dir, p) => {
    await twoSaves(p);
    const text = await readFile(p, 'utf8');
    assert.ok(text.includes('\n  "serial": 2,\n'));
    await writeFile(p, text.replace('\n  "serial": 2,\n', '\n  "serial": 2x,\n'));
    const e = await openFails(dir, p);
    assert.is(
      e.message,
      `state file ${p} is corrupt (not valid JSON: Expected ',' or '}' after property value in JSON at line 4 column 14); the previous good version is kept in ${p}.backup`,
    );
  }));

test('a state file of NUL bytes (what a crash can leave): state.format, with no control characters in the message', () =>
  inTempDir(async (dir, p) => {
    await twoSaves(p);
    await writeFile(p, Buffer.alloc(4096));
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.ok(e.message.startsWith(`state file ${p} is corrupt (not valid JSON: Unexpected token '\\u0000', "\\u0000\\u0000`), e.message);
    assert.ok(e.message.endsWith(`; the previous good version is kept in ${p}.backup`), e.message);
    // eslint-disable-next-line no-control-regex -- what is tested: no control character reaches the message
    assert.not.match(e.message, /[\x00-\x1f\x7f]/);
  }));

test('a corrupt state file without a backup (saved only once) says there is none, and how to recover', () =>
  inTempDir(async (dir, p) => {
    await writeFile(p, '{"version": 1, "lineage": ');
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.is(e.message, `state file ${p} is corrupt (not valid JSON: Unexpected end of JSON input); there is no backup (${p}.backup does not exist)`);
    assert.is(
      e.hint,
      'restore lxplan.state.json from where you keep it (version control, CI artifacts), or start a new state and adopt the objects again with lxplan import',
    );
  }));

test('a corrupt byte inside a string (not UTF-8) is reported, not read as a different lineage', () =>
  inTempDir(async (dir, p) => {
    const saved = await twoSaves(p);
    const bytes = await readFile(p);
    const at = bytes.indexOf(Buffer.from(saved.lineage)) + 3;
    bytes[at] = 0xff;
    await writeFile(p, bytes);
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.is(e.message, `state file ${p} is corrupt (not UTF-8 text); the previous good version is kept in ${p}.backup`);
    assert.is(e.hint, `check ${p}.backup and, if it is intact, copy it over ${p}`);
  }));

test('two states written one after the other into the same file: state.format at the start of the second', () =>
  inTempDir(async (dir, p) => {
    await twoSaves(p);
    const text = await readFile(p, 'utf8');
    await writeFile(p, text + text);
    const e = await openFails(dir, p);
    const lines = text.split('\n').length; // the second document starts on this line
    assert.is(
      e.message,
      `state file ${p} is corrupt (not valid JSON: Unexpected non-whitespace character after JSON at line ${lines} column 1); the previous good version is kept in ${p}.backup`,
    );
  }));

test('valid JSON that is not a state: state.format saying what is wrong', () =>
  inTempDir(async (dir, p) => {
    await writeFile(p, '[]\n');
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.is(e.message, `state file ${p} is malformed: the top level must be an object, found an array`);
    await writeFile(p, JSON.stringify({ version: '1', lineage: 'x', serial: 1, resources: {} }));
    const v = await openFails(dir, p);
    assert.is(v.message, `state file ${p} is malformed: version: must be a whole number, found "1"`);
  }));

test('state version 99: state.format saying which version this lxplan reads; the file is left alone', () =>
  inTempDir(async (dir, p) => {
    const saved = await twoSaves(p);
    const future = JSON.stringify({ ...JSON.parse(serialize(saved)), version: 99, newField: { x: 1 } }, null, 2) + '\n';
    await writeFile(p, future);
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.format');
    assert.is(e.message, `state file ${p} has version 99; this lxplan reads state version 1`);
    assert.is(e.hint, 'it was written by a newer lxplan: use that version (or newer) with this state');
    assert.is(await readFile(p, 'utf8'), future);
    await writeFile(p, JSON.stringify({ version: -1, lineage: 'x', serial: 1, resources: {} }));
    const neg = await openFails(dir, p);
    assert.is(neg.message, `state file ${p} has version -1; this lxplan reads state version 1`);
    assert.is(neg.hint, 'no lxplan ever wrote state version -1: the file was not written by lxplan');
  }));

test('a directory where the state file should be: state.io naming the path, EISDIR, and what to do', () =>
  inTempDir(async (dir, p) => {
    await mkdir(p);
    await writeFile(path.join(p, 'keep'), 'not ours');
    const e = await openFails(dir, p);
    assert.is(e.code, 'state.io');
    assert.is(e.message, `cannot read state file ${p}: EISDIR: illegal operation on a directory, read`);
    assert.is(e.hint, `${p} is a directory: give the state file's path with --state, or move the directory away`);
    assert.equal(await readdir(p), ['keep']);
  }));

test('a directory appearing in place of the state file during a run: the save fails cleanly', () =>
  inTempDir(async (dir, p) => {
    const m = await open(p);
    try {
      await m.save(withEntry(m.state, 'profile.a', entry('profile.a')));
      await rm(p);
      await mkdir(p);
      await writeFile(path.join(p, 'keep'), 'not ours');
      const e = await lxplanError(() => m.save(withEntry(m.state, 'profile.b', entry('profile.b'))));
      assert.is(e.code, 'state.io');
      assert.match(e.message, `cannot write state file ${p}: `);
      assert.equal(await readdir(p), ['keep'], 'the directory is untouched');
      assert.ok((await stat(p)).isDirectory());
      assert.equal(await files(dir), ['lxplan.state.json', 'lxplan.state.json.lock', 'lxplan.state.json.lock-info.json'], 'no temporary file left');
      assert.is(m.state.serial, 1);
    } finally {
      await m.release();
    }
  }));

test.run();
