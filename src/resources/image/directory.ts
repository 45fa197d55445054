/**
 * An image built from a local root file system directory (`source: {directory: ./rootfs}`).
 * lxplan writes metadata.yaml and packs both tarballs itself, deterministically, so the same
 * directory gives the same bytes and the same fingerprint on every run: a plan knows the
 * fingerprint before uploading anything, and says "no changes" when LXD already has it.
 *
 * What makes the bytes reproducible:
 *  - entries sorted (a plain string sort of relative paths: parents before children);
 *  - every mtime (files and directories) is the image's creation_date;
 *  - owners as the directory records them (numeric uid/gid, kept: a root file system needs
 *    them), without user or group names, atime, ctime, device or inode numbers;
 *  - modes as on disk (setuid, sticky and group/other write bits kept);
 *  - a gzip header without a timestamp.
 * Regular files, directories, symbolic links and hard links are packed; device nodes, sockets
 * and FIFOs are not (the tar package does not write them, and LXD creates /dev itself).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fingerprintOfSplitImage } from './files.js';

/** What goes into metadata.yaml. */
export interface DirectoryImageMetadata {
  /** LXD's spelling: x86_64, aarch64 ... */
  architecture: string;
  /** Unix seconds: metadata.yaml's creation_date and every entry's mtime. */
  creationDate: number;
  properties: Record<string, string>;
}

export interface BuiltDirectoryImage {
  metadataPath: string;
  rootfsPath: string;
  fingerprint: string;
  /** Removes the temporary folder holding the tarballs. */
  cleanup(): Promise<void>;
}

/** metadata.yaml: keys in a fixed order, properties sorted, values JSON-quoted (valid YAML). */
export function metadataYamlOf(m: DirectoryImageMetadata): string {
  const lines = [`architecture: ${JSON.stringify(m.architecture)}`, `creation_date: ${m.creationDate}`];
  const props = Object.keys(m.properties).sort();
  if (props.length > 0) {
    lines.push('properties:');
    for (const k of props) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(m.properties[k])}`);
  }
  return lines.join('\n') + '\n';
}

/** Every entry under `root`, relative, sorted so that parents come before their children. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(path.join(root, rel))).sort();
    for (const name of names) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await lstat(path.join(root, p));
      if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) continue;
      out.push(p);
      if (st.isDirectory()) await walk(p);
    }
  }
  await walk('');
  // "a/b" vs "a-b": a plain sort of whole paths puts "a-b" before "a/b" ('-' < '/'), the walk
  // puts a's children right after a. Either is deterministic; the walk's order is kept.
  return out;
}

/** tar.c options that pack deterministically (see the file comment); `mtime` is every entry's modification time. */
function deterministicOptions(cwd: string, mtime: Date) {
  return {
    // Not `portable` (it drops uid/gid and clears group/other write bits): the same effect is
    // had entry by entry below, keeping owners and modes. The gzip header gets no timestamp.
    gzip: { portable: true } as never,
    noDirRecurse: true,
    mtime,
    cwd,
    onWriteEntry(entry: unknown) {
      const e = entry as { stat: Stats; myuid: number };
      // No user name in the header (it would be the packing user's), no atime/ctime/dev/ino in
      // an extended header: a copy of stat with those fixed.
      e.myuid = -1;
      const s = e.stat;
      e.stat = Object.assign(Object.create(Object.getPrototypeOf(s) as object), s, {
        atime: mtime,
        ctime: mtime,
        mtime,
        birthtime: mtime,
        dev: 0,
        ino: 0,
        atimeMs: 0,
        ctimeMs: 0,
      }) as Stats;
    },
  };
}

/** Packs `entries` (relative to `cwd`) into a gzip tarball at `file`, deterministically. */
export async function writeDeterministicTarball(cwd: string, entries: string[], file: string, mtime: Date): Promise<void> {
  const tar = await import('tar');
  await tar.c({ ...deterministicOptions(cwd, mtime), file }, entries);
}

/** Feeds the same bytes writeDeterministicTarball would write into `hash`, without writing them anywhere. */
async function hashDeterministicTarball(cwd: string, entries: string[], mtime: Date, hash: Hash): Promise<void> {
  const tar = await import('tar');
  const stream = tar.c(deterministicOptions(cwd, mtime), entries) as unknown as AsyncIterable<Buffer>;
  for await (const chunk of stream) hash.update(chunk);
}

/** The root file system directory must exist and be a directory. */
async function checkDirectory(dir: string): Promise<void> {
  const st = await lstat(dir);
  if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR', path: dir });
}

/** A temporary folder holding metadata.yaml with its fixed mode and mtime; removed by the caller. */
async function stageMetadata(meta: DirectoryImageMetadata, mtime: Date): Promise<{ work: string; metaDir: string }> {
  const work = await mkdtemp(path.join(tmpdir(), 'lxplan-image-'));
  const metaDir = path.join(work, 'meta');
  await mkdir(metaDir, { mode: 0o755 });
  await writeFile(path.join(metaDir, 'metadata.yaml'), metadataYamlOf(meta));
  await chmod(path.join(metaDir, 'metadata.yaml'), 0o644);
  await utimes(path.join(metaDir, 'metadata.yaml'), mtime, mtime);
  return { work, metaDir };
}

/**
 * Builds meta.tar.gz and rootfs.tar.gz for `dir` in a new temporary folder (to upload them);
 * returns them with their fingerprint. The caller removes them with cleanup().
 */
export async function buildDirectoryImage(dir: string, meta: DirectoryImageMetadata): Promise<BuiltDirectoryImage> {
  await checkDirectory(dir);
  const mtime = new Date(meta.creationDate * 1000);
  const { work, metaDir } = await stageMetadata(meta, mtime);
  const cleanup = () => rm(work, { recursive: true, force: true });
  try {
    const metadataPath = path.join(work, 'meta.tar.gz');
    const rootfsPath = path.join(work, 'rootfs.tar.gz');
    await writeDeterministicTarball(metaDir, ['metadata.yaml'], metadataPath, mtime);
    await writeDeterministicTarball(dir, await listTree(dir), rootfsPath, mtime);
    return { metadataPath, rootfsPath, fingerprint: await fingerprintOfSplitImage(metadataPath, rootfsPath), cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * The fingerprint a directory image will have (what a plan needs): both tarballs packed as
 * buildDirectoryImage packs them, streamed into the hash, never written to disk.
 */
export async function fingerprintOfDirectoryImage(dir: string, meta: DirectoryImageMetadata): Promise<string> {
  await checkDirectory(dir);
  const mtime = new Date(meta.creationDate * 1000);
  const { work, metaDir } = await stageMetadata(meta, mtime);
  try {
    const hash = createHash('sha256');
    await hashDeterministicTarball(metaDir, ['metadata.yaml'], mtime, hash);
    await hashDeterministicTarball(dir, await listTree(dir), mtime, hash);
    return hash.digest('hex');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
