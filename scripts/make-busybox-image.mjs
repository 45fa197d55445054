#!/usr/bin/env node
// Builds the busybox test image: OUTDIR/meta.tar.gz and OUTDIR/rootfs.tar.gz, then
// prints its fingerprint. Does nothing but hash when both files are already newer than
// /bin/busybox, so scripts can call it every time. Needs `npm run build` first.
// Usage: node scripts/make-busybox-image.mjs OUTDIR [--alias NAME]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'dist/src/resources/image/files.js');
const args = process.argv.slice(2);
const aliasAt = args.indexOf('--alias');
const alias = aliasAt >= 0 ? args.splice(aliasAt, 2)[1] : undefined;
const outDir = args[0];

if (!outDir || args.length !== 1 || (aliasAt >= 0 && !alias)) {
  console.error('usage: node scripts/make-busybox-image.mjs OUTDIR [--alias NAME]');
  process.exit(2);
}
if (!existsSync(lib)) {
  console.error(`make-busybox-image: ${path.relative(process.cwd(), lib)} is missing: run npm run build first`);
  process.exit(1);
}
const { ensureBusyboxImage, HOST_BUSYBOX } = await import(pathToFileURL(lib).href);
if (!existsSync(HOST_BUSYBOX)) {
  console.error(`make-busybox-image: ${HOST_BUSYBOX} is missing: install Debian's busybox-static (apt-get install busybox-static)`);
  process.exit(1);
}
const img = await ensureBusyboxImage(path.resolve(outDir), { alias });
console.error(
  `make-busybox-image: ${img.built ? 'built' : 'up to date:'} ${path.relative(process.cwd(), img.metadataPath)} ${path.relative(process.cwd(), img.rootfsPath)}`,
);
console.log(img.fingerprint);
