/** Shared by the manifest tests: manifests written to a temp dir from strings, and the error text a user sees. */
import { rmSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLxplanError, type LxplanError } from '../../src/errors.js';
import { loadManifests, type LoadOptions } from '../../src/manifest/index.js';

/** The repository root (tests run compiled from dist/test/...). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith(`${path.sep}dist`) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.dirname(dir);
}

/** Temp dirs made by tree(), removed when the test process exits. */
const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** Writes `files` (relative path -> content) under a fresh temp dir and returns the dir. */
export async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lxplan-manifest-'));
  made.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

/** The error loadManifests throws (fails the test if it does not). */
export async function loadError(p: string, opts?: LoadOptions): Promise<LxplanError> {
  try {
    await loadManifests(p, opts);
  } catch (e) {
    if (isLxplanError(e)) return e;
    throw e;
  }
  throw new Error(`expected loading ${p} to fail`);
}

/** Every problem, as the CLI prints it: "file:line:col: message" (+ hint line). */
export function described(e: LxplanError): string[] {
  return [e, ...e.more].map((x) => x.describe());
}

/** Every problem as "code file:line:col: message" without hints, for compact assertions. */
export function summary(e: LxplanError): string[] {
  return [e, ...e.more].map((x) => `${x.code} ${x.location ? `${x.location.file}:${x.location.line}:${x.location.col}: ` : ''}${x.message}`);
}
