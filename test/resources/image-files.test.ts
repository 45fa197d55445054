/** Image tarballs: the fingerprint LXD will compute, and a busybox build that is byte-for-byte reproducible. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tar from 'tar';
import { buildBusyboxImage, busyboxImageIsFresh, ensureBusyboxImage, fingerprintOfSplitImage, lxdArchitecture } from '../../src/resources/image/files.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lxplan-image-files-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('fingerprint is sha256 of the metadata bytes followed by the rootfs bytes', async () => {
  const meta = path.join(dir, 'm.bin');
  const rootfs = path.join(dir, 'r.bin');
  await writeFile(meta, 'abc');
  await writeFile(rootfs, '');
  // sha256("abc"), the FIPS 180-2 test vector: the empty rootfs adds nothing.
  assert.is(await fingerprintOfSplitImage(meta, rootfs), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const big = Buffer.alloc(3_000_000, 7); // several read chunks
  await writeFile(rootfs, big);
  assert.is(await fingerprintOfSplitImage(meta, rootfs), createHash('sha256').update('abc').update(big).digest('hex'));
  // Order matters: LXD hashes metadata first.
  assert.is.not(await fingerprintOfSplitImage(rootfs, meta), await fingerprintOfSplitImage(meta, rootfs));
});

test('two busybox builds are byte-identical; another alias gives another fingerprint', async () => {
  const a = await buildBusyboxImage(path.join(dir, 'a'));
  const b = await buildBusyboxImage(path.join(dir, 'b'));
  const c = await buildBusyboxImage(path.join(dir, 'c'), { alias: 'other' });
  const fa = await fingerprintOfSplitImage(a.metadataPath, a.rootfsPath);
  assert.is(fa, await fingerprintOfSplitImage(b.metadataPath, b.rootfsPath));
  assert.ok((await readFile(a.rootfsPath)).equals(await readFile(b.rootfsPath)));
  assert.is.not(fa, await fingerprintOfSplitImage(c.metadataPath, c.rootfsPath));
});

test('the busybox image holds what LXD and the tests need', async () => {
  const { metadataPath, rootfsPath } = await buildBusyboxImage(path.join(dir, 'content'));
  const entries = new Map<string, { mode: number; type: string; linkpath?: string; mtime?: Date; body?: string }>();
  await tar.t({
    file: rootfsPath,
    onReadEntry: (e) => {
      const info: { mode: number; type: string; linkpath?: string; mtime?: Date; body?: string } = {
        mode: e.mode ?? 0,
        type: e.type,
        linkpath: e.linkpath,
        mtime: e.mtime,
      };
      entries.set(e.path, info);
      if (e.path === 'sbin/init') {
        let s = '';
        e.on('data', (d: Buffer) => {
          s += d.toString();
        });
        e.on('end', () => {
          info.body = s;
        });
      } else e.resume();
    },
  });
  const names = [...entries.keys()];
  assert.equal(names, [...names].sort(), 'entries are sorted');
  for (const d of ['bin/', 'dev/', 'etc/', 'proc/', 'root/', 'run/', 'sys/', 'tmp/', 'var/']) assert.ok(entries.has(d), d);
  assert.is(entries.get('bin/busybox')?.mode, 0o755);
  for (const applet of ['bin/sh', 'bin/ls', 'bin/cat', 'bin/sleep', 'bin/mount', 'bin/ps', 'bin/echo', 'bin/mkdir', 'bin/hostname']) {
    assert.is(entries.get(applet)?.linkpath, '/bin/busybox', applet);
  }
  const init = entries.get('sbin/init');
  assert.is(init?.type, 'File');
  assert.is(init?.mode, 0o755);
  assert.match(init?.body ?? '', /^#!\/bin\/sh\n/);
  assert.match(init?.body ?? '', /trap .* PWR/);
  for (const f of ['etc/hostname', 'etc/passwd', 'etc/group']) assert.ok(entries.has(f), f);
  assert.ok([...entries.values()].every((e) => e.type === 'Directory' || e.mtime?.getTime() === Date.parse('2024-01-01T00:00:00Z')));

  let yaml = '';
  await tar.t({
    file: metadataPath,
    onReadEntry: (e) => {
      e.on('data', (d: Buffer) => {
        yaml += d.toString();
      });
    },
  });
  assert.match(yaml, new RegExp(`^architecture: ${lxdArchitecture()}$`, 'm'));
  assert.match(yaml, /^creation_date: 1704067200$/m);
  assert.match(yaml, /^ {2}os: busybox$/m);
});

test("lxdArchitecture speaks LXD's names", () => {
  assert.is(lxdArchitecture('x64'), 'x86_64');
  assert.is(lxdArchitecture('arm64'), 'aarch64');
});

test('ensureBusyboxImage builds once, then reuses while the files are newer than busybox', async () => {
  const out = path.join(dir, 'cache');
  const first = await ensureBusyboxImage(out);
  assert.ok(first.built);
  assert.ok(await busyboxImageIsFresh(out));
  const again = await ensureBusyboxImage(out);
  assert.not.ok(again.built);
  assert.is(again.fingerprint, first.fingerprint);
  // Files older than busybox (it was upgraded since) are rebuilt.
  const old = new Date((await stat('/bin/busybox')).mtimeMs - 60_000);
  await utimes(first.rootfsPath, old, old);
  assert.not.ok(await busyboxImageIsFresh(out));
  assert.ok((await ensureBusyboxImage(out)).built);
});

test.run();
