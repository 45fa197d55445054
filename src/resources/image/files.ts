/**
 * Image tarballs on disk. lxplan names a split image by the fingerprint LXD will give
 * it, sha256(metadata tarball bytes, rootfs tarball bytes), computed locally so a plan
 * knows whether LXD already has the image without uploading anything.
 *
 * It also builds the tiny busybox image the tests and examples use: there is no image
 * server to download from on these machines, and a deterministic build (same busybox,
 * same bytes, same fingerprint) lets "already in LXD" mean the same across runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** sha256 over the metadata tarball then the rootfs tarball, streamed. Lowercase hex. */
export async function fingerprintOfSplitImage(metadataPath: string, rootfsPath: string): Promise<string> {
  const hash = createHash('sha256');
  for (const p of [metadataPath, rootfsPath]) {
    for await (const chunk of createReadStream(p) as AsyncIterable<Buffer>) hash.update(chunk);
  }
  return hash.digest('hex');
}

/** Where the host's static busybox is (Debian's busybox-static). */
export const HOST_BUSYBOX = '/bin/busybox';

/** Every entry's mtime and the image's creation_date: fixed, so builds are reproducible. */
const EPOCH = new Date('2024-01-01T00:00:00Z');

/**
 * LXD stops a container cleanly by sending SIGPWR to its init; busybox's own init
 * ignores it, so every stop would wait for its timeout. This init exits on PWR or TERM.
 * `sleep & wait` (rather than a foreground sleep) lets the shell run the trap at once.
 */
const INIT = `#!/bin/sh
# lxplan test image: exit on SIGPWR (LXD's clean stop) or SIGTERM, otherwise idle.
trap 'exit 0' PWR TERM INT
while :; do
  sleep 3600 &
  wait $!
done
`;

/** Applets to link when the host's busybox cannot list its own (it always can on Debian). */
const FALLBACK_APPLETS = [
  'bin/cat',
  'bin/echo',
  'bin/hostname',
  'bin/ip',
  'bin/ls',
  'bin/mkdir',
  'bin/mount',
  'bin/ps',
  'bin/sh',
  'bin/sleep',
  'bin/umount',
  'sbin/ifconfig',
  'usr/bin/env',
  'usr/bin/free',
  'usr/bin/id',
  'usr/bin/top',
];

export interface BusyboxImageFiles {
  metadataPath: string;
  rootfsPath: string;
}

export interface BusyboxImageOptions {
  /**
   * Written into the image's properties (`name`): different names give different
   * fingerprints, for tests that need two distinct images. Default "busybox".
   */
  alias?: string;
  /** The busybox binary to put in the image; default the host's /bin/busybox. */
  busybox?: string;
}

/**
 * Builds OUTDIR/meta.tar.gz and OUTDIR/rootfs.tar.gz. Same busybox and options give
 * byte-identical files: fixed mtimes and modes, sorted entries, no owner names, and a
 * gzip header without timestamp or OS byte. Files appear atomically (renamed into
 * place), so concurrent builders never see half a tarball.
 */
export async function buildBusyboxImage(outDir: string, opts: BusyboxImageOptions = {}): Promise<BusyboxImageFiles> {
  const name = opts.alias ?? 'busybox';
  const busybox = opts.busybox ?? HOST_BUSYBOX;
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(path.join(outDir, '.build-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    const meta = path.join(work, 'meta');
    const rootEntries = await stageRootfs(rootfs, busybox, name);
    await mkdir(meta);
    await writeFile(path.join(meta, 'metadata.yaml'), metadataYaml(name));
    await fixEntry(path.join(meta, 'metadata.yaml'), 0o644);

    const metadataPath = path.join(outDir, 'meta.tar.gz');
    const rootfsPath = path.join(outDir, 'rootfs.tar.gz');
    await writeTarball(meta, ['metadata.yaml'], path.join(work, 'meta.tar.gz'));
    // LXD expects the rootfs tarball's entries at the top level ("bin/busybox").
    await writeTarball(rootfs, rootEntries, path.join(work, 'rootfs.tar.gz'));
    await rename(path.join(work, 'meta.tar.gz'), metadataPath);
    await rename(path.join(work, 'rootfs.tar.gz'), rootfsPath);
    return { metadataPath, rootfsPath };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** True when both tarballs exist and are newer than the busybox they were built from. */
export async function busyboxImageIsFresh(outDir: string, busybox = HOST_BUSYBOX): Promise<boolean> {
  try {
    const [m, r, b] = await Promise.all([stat(path.join(outDir, 'meta.tar.gz')), stat(path.join(outDir, 'rootfs.tar.gz')), stat(busybox)]);
    return m.mtimeMs > b.mtimeMs && r.mtimeMs > b.mtimeMs;
  } catch {
    return false;
  }
}

/** Builds unless a fresh build is already there; returns the files and their fingerprint. */
export async function ensureBusyboxImage(outDir: string, opts: BusyboxImageOptions = {}): Promise<BusyboxImageFiles & { fingerprint: string; built: boolean }> {
  let files: BusyboxImageFiles = { metadataPath: path.join(outDir, 'meta.tar.gz'), rootfsPath: path.join(outDir, 'rootfs.tar.gz') };
  const built = !(await busyboxImageIsFresh(outDir, opts.busybox));
  if (built) files = await buildBusyboxImage(outDir, opts);
  return { ...files, fingerprint: await fingerprintOfSplitImage(files.metadataPath, files.rootfsPath), built };
}

/** LXD's image metadata; architecture is the host's in LXD's spelling. */
function metadataYaml(name: string): string {
  return [
    `architecture: ${lxdArchitecture()}`,
    `creation_date: ${Math.floor(EPOCH.getTime() / 1000)}`,
    'properties:',
    '  os: busybox',
    `  name: ${JSON.stringify(name)}`,
    `  description: ${JSON.stringify(`${name}: static busybox test image built by lxplan`)}`,
    '',
  ].join('\n');
}

export function lxdArchitecture(arch: string = process.arch): string {
  const known: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return known[arch] ?? arch;
}

/** Lays out the root filesystem; returns every entry, parents first, sorted. */
async function stageRootfs(root: string, busybox: string, hostname: string): Promise<string[]> {
  const dirs = ['bin', 'dev', 'etc', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'usr/bin', 'usr/sbin', 'var'];
  for (const d of dirs) await mkdir(path.join(root, d), { recursive: true });
  const files: Array<[string, string, number]> = [
    ['etc/hostname', `${hostname}\n`, 0o644],
    ['etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n', 0o644],
    ['etc/group', 'root:x:0:\n', 0o644],
    ['sbin/init', INIT, 0o755],
  ];
  for (const [p, text, mode] of files) {
    await writeFile(path.join(root, p), text);
    await fixEntry(path.join(root, p), mode);
  }
  await copyFile(busybox, path.join(root, 'bin/busybox'));
  await fixEntry(path.join(root, 'bin/busybox'), 0o755);

  const taken = new Set(files.map(([p]) => p).concat('bin/busybox'));
  const links = appletPaths(busybox).filter((p) => !taken.has(p) && dirs.includes(path.posix.dirname(p)));
  for (const l of links) await symlink('/bin/busybox', path.join(root, l));
  // tmp would be 1777, but portable tarballs clear group/other write bits: 1755. The
  // test containers run everything as root, so that costs nothing.
  for (const d of dirs) await fixEntry(path.join(root, d), d === 'tmp' ? 0o1777 : 0o755);

  // A plain string sort puts "bin" before "bin/cat": parents come first, as tar wants.
  return [...dirs, ...taken, ...links].sort();
}

/** The applets this busybox has, as install paths ("bin/sh", "usr/bin/env"). */
function appletPaths(busybox: string): string[] {
  const r = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return FALLBACK_APPLETS;
  // linuxrc and sbin/init are busybox's init, which this image replaces.
  return [
    ...new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('/') && l !== 'linuxrc'),
    ),
  ].sort();
}

/** Mode and mtime fixed; the umask and the clock must not leak into the tarball. */
async function fixEntry(p: string, mode: number): Promise<void> {
  await chmod(p, mode);
  await utimes(p, EPOCH, EPOCH);
}

async function writeTarball(cwd: string, entries: string[], file: string): Promise<void> {
  // portable: no uid/gid/owner names/atime/ctime, and a gzip header without a timestamp.
  // noDirRecurse: the sorted list is the whole archive, in that order.
  // Loaded here only: every plan imports this module for fingerprints, few build tarballs.
  const tar = await import('tar');
  await tar.c({ gzip: true, portable: true, noDirRecurse: true, mtime: EPOCH, cwd, file }, entries);
}
