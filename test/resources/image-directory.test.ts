/** Directory images: packed reproducibly, so the fingerprint is known before any upload. */
import { chmod, chown, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tar from 'tar';
import {
  buildDirectoryImage,
  fingerprintOfDirectoryImage,
  listTree,
  metadataYamlOf,
  type DirectoryImageMetadata,
} from '../../src/resources/image/directory.js';

let dir: string;
const META: DirectoryImageMetadata = { architecture: 'x86_64', creationDate: 1704067200, properties: { os: 'busybox', release: '1' } };

async function rootfs(at: string): Promise<string> {
  await mkdir(path.join(at, 'etc'), { recursive: true });
  await mkdir(path.join(at, 'bin'), { recursive: true });
  await mkdir(path.join(at, 'tmp'), { recursive: true });
  await chmod(path.join(at, 'tmp'), 0o1777);
  await writeFile(path.join(at, 'etc/hostname'), 'one\n');
  await writeFile(path.join(at, 'bin/tool'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(at, 'bin/tool'), 0o755);
  await symlink('tool', path.join(at, 'bin/alias'));
  return at;
}

test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lxplan-image-dir-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the same directory gives the same fingerprint on every run, whatever its mtimes', async () => {
  const a = await rootfs(path.join(dir, 'a'));
  const first = await fingerprintOfDirectoryImage(a, META);
  // Touch everything: the clock must not leak into the tarball.
  const later = new Date('2030-05-05T00:00:00Z');
  for (const p of ['etc/hostname', 'bin/tool', 'etc', 'bin']) await utimes(path.join(a, p), later, later);
  assert.is(await fingerprintOfDirectoryImage(a, META), first);
  // A copy made elsewhere, at another time, packs to the same bytes.
  const b = await rootfs(path.join(dir, 'b'));
  assert.is(await fingerprintOfDirectoryImage(b, META), first);
  assert.match(first, /^[0-9a-f]{64}$/);
});

test('one file edited, a mode changed, an owner changed or the metadata changed: a new fingerprint', async () => {
  const a = await rootfs(path.join(dir, 'edit'));
  const before = await fingerprintOfDirectoryImage(a, META);
  await writeFile(path.join(a, 'etc/hostname'), 'two\n');
  const edited = await fingerprintOfDirectoryImage(a, META);
  assert.is.not(edited, before);
  await chmod(path.join(a, 'etc/hostname'), 0o600);
  const chmodded = await fingerprintOfDirectoryImage(a, META);
  assert.is.not(chmodded, edited);
  if (process.getuid?.() === 0) {
    await chown(path.join(a, 'etc/hostname'), 1234, 1234);
    assert.is.not(await fingerprintOfDirectoryImage(a, META), chmodded);
  }
  assert.is.not(await fingerprintOfDirectoryImage(a, { ...META, properties: { os: 'busybox', release: '2' } }), await fingerprintOfDirectoryImage(a, META));
  assert.is.not(await fingerprintOfDirectoryImage(a, { ...META, creationDate: 1704067201 }), await fingerprintOfDirectoryImage(a, META));
});

test('the tarballs hold the tree sorted, owners and modes as on disk, fixed mtimes, and metadata.yaml', async () => {
  const a = await rootfs(path.join(dir, 'content'));
  if (process.getuid?.() === 0) await chown(path.join(a, 'bin/tool'), 1234, 4321);
  const built = await buildDirectoryImage(a, META);
  try {
    // What a plan computes without writing tarballs is the hash of exactly what is uploaded.
    assert.is(await fingerprintOfDirectoryImage(a, META), built.fingerprint);
    const entries: Array<{ path: string; mode?: number; uid?: number; gid?: number; mtime?: Date; type: string; linkpath?: string; uname?: string }> = [];
    await tar.t({
      file: built.rootfsPath,
      onReadEntry: (e) => {
        entries.push({ path: e.path, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, type: e.type, linkpath: e.linkpath, uname: e.uname });
        e.resume();
      },
    });
    assert.equal(
      entries.map((e) => e.path),
      ['bin/', 'bin/alias', 'bin/tool', 'etc/', 'etc/hostname', 'tmp/'],
    );
    const by = new Map(entries.map((e) => [e.path, e]));
    assert.is(by.get('tmp/')?.mode, 0o1777, 'sticky and world-writable kept');
    assert.is(by.get('bin/tool')?.mode, 0o755);
    assert.is(by.get('bin/alias')?.type, 'SymbolicLink');
    assert.is(by.get('bin/alias')?.linkpath, 'tool');
    if (process.getuid?.() === 0) {
      assert.is(by.get('bin/tool')?.uid, 1234);
      assert.is(by.get('bin/tool')?.gid, 4321);
    }
    for (const e of entries) {
      assert.is(e.mtime?.getTime(), 1704067200_000, e.path);
      assert.not.ok(e.uname, `${e.path}: no user name`);
    }
    // The gzip header carries no timestamp (bytes 4-7 are MTIME).
    const gz = await readFile(built.rootfsPath);
    assert.equal([...gz.subarray(4, 8)], [0, 0, 0, 0]);

    let yaml = '';
    await tar.t({
      file: built.metadataPath,
      onReadEntry: (e) => {
        e.on('data', (d: Buffer) => {
          yaml += d.toString();
        });
      },
    });
    assert.is(yaml, metadataYamlOf(META));
    assert.is(yaml, 'architecture: "x86_64"\ncreation_date: 1704067200\nproperties:\n  "os": "busybox"\n  "release": "1"\n');
  } finally {
    await built.cleanup();
  }
});

test('listTree walks depth first, sorted, leaving out sockets and devices', async () => {
  const a = path.join(dir, 'tree');
  await mkdir(path.join(a, 'b/c'), { recursive: true });
  await writeFile(path.join(a, 'a'), '');
  await writeFile(path.join(a, 'b/c/d'), '');
  await writeFile(path.join(a, 'b-x'), '');
  assert.equal(await listTree(a), ['a', 'b', 'b/c', 'b/c/d', 'b-x']);
});

test('a missing directory is an error, and leaves no temporary folder behind', async () => {
  try {
    await buildDirectoryImage(path.join(dir, 'nope'), META);
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

test.run();
