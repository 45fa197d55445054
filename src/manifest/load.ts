/**
 * Loading a configuration: files -> YAML with positions -> schema check -> desired
 * objects -> one merged Manifest. Every problem found along the way is collected, so a
 * user fixes a file in one go instead of one error per run; they are thrown together as
 * one LxplanError (the first as its message, the rest in `more`), in file and line order.
 */
import { LxplanError, type SourceLocation } from '../errors.js';
import { registry } from '../resources/registry.js';
import type { DesiredBackend, DesiredObject, Kind, Manifest } from '../resources/types.js';
import { resolveEnvRefs, resolveEnvText } from './env.js';
import { displayPath, manifestFiles } from './files.js';
import type { CheckContext, KindManifest } from './kind.js';
import { normaliseFile, type FileObjects } from './normalise.js';
import { formatLocation, parseManifestText } from './parse.js';
import { readManifestText } from './read.js';
import { mergeRemotes } from './remotes.js';
import { validateAgainstSchema } from './schema.js';

export interface LoadOptions {
  /** Check that image tarballs named in source: exist (default true). */
  checkFiles?: boolean;
  /** Where ${env:NAME} values come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * In a directory whose files name several daemons (`remote:`), the one to load: its files, and
   * the files that declare no objects (shared `remotes:`, `backend:`). Absent there: nothing is
   * merged, and the manifest only lists the daemons (`spans`), for the caller to load each.
   */
  remote?: string;
}

/**
 * Reads the manifests at `pathArg` (a file, or a directory of *.yaml / *.yml files) into
 * the desired model. Throws an LxplanError holding every problem found.
 */
export async function loadManifests(pathArg: string, opts: LoadOptions = {}): Promise<Manifest> {
  const { dir, files } = await manifestFiles(pathArg);
  const errors: LxplanError[] = [];
  const perFile: FileObjects[] = [];
  const displays: string[] = [];

  for (const abs of files) {
    const display = displayPath(abs);
    displays.push(display);
    const read = await readManifestText(abs, display);
    if ('error' in read) {
      errors.push(read.error);
      continue;
    }
    const parsed = parseManifestText(read.text, display, abs);
    errors.push(...parsed.errors);
    if (parsed.data === undefined) continue;
    errors.push(...validateAgainstSchema(parsed.file, parsed.data));
    const objects = normaliseFile(parsed.file);
    errors.push(...objects.errors);
    perFile.push(objects);
  }

  const m = { dir, files: displays } as Manifest;
  const spans = [...new Set(perFile.flatMap((o) => (o.remote ? [o.remote.name] : [])))].sort();
  if (spans.length > 1) {
    m.spans = spans;
    const chosen = partOf(perFile, spans, opts.remote, errors);
    if (chosen === undefined) {
      if (errors.length > 0) throw combine(errors, displays);
      return m;
    }
    perFile.splice(0, perFile.length, ...chosen);
  }
  // Each kind's objects by name over all files (a name twice is a duplicate), then stored in m by the kind.
  const merged = new Map<Kind, Record<string, DesiredObject>>(registry.map((e) => [e.kind, {}]));
  for (const objects of perFile) {
    for (const e of registry) {
      const list = objects.objects.get(e.kind) ?? [];
      if (e.manifest.single) mergeSingle(e.manifest, merged.get(e.kind)!, list, errors);
      else merge(merged.get(e.kind)!, list, errors);
    }
    scopeOf(m, objects, errors);
    daemonOf(m, objects);
    backendOf(m, objects, errors);
  }
  for (const e of registry) if (!e.manifest.derive) e.manifest.store(m, merged.get(e.kind)!);
  // Objects made from other kinds' objects (an instance's snapshots:).
  for (const e of registry) if (e.manifest.derive) e.manifest.store(m, e.manifest.derive(m));

  const env = opts.env ?? process.env;
  const remoteCertificates = await mergeRemotes(
    m,
    perFile.flatMap((o) => o.remotes),
    errors,
    env,
  );
  if (m.backend) m.backend.spec = resolveBackendEnv(m.backend, env, errors);
  const ctx: CheckContext = { checkFiles: opts.checkFiles ?? true, remotes: m.remotes ?? {}, remoteCertificates };
  for (const e of registry) for (const check of e.manifest.checks ?? []) errors.push(...(await check(m, ctx)));
  errors.push(...resolveEnvRefs(m, env));

  if (errors.length > 0) throw combine(errors, displays);
  return m;
}

/** Adds objects by name; a name already taken (by another file) is a duplicate naming both places. */
function merge<T extends DesiredObject>(into: Record<string, T>, objects: T[], errors: LxplanError[]): void {
  for (const o of objects) {
    const prev = into[o.name];
    if (!prev) {
      into[o.name] = o;
      continue;
    }
    errors.push(
      new LxplanError('manifest.duplicate', `${o.kind} "${o.name}" is defined twice: at ${formatLocation(prev.at)} and at ${formatLocation(o.at)}`, {
        location: o.at,
        hint: 'names are unique per kind across all manifest files: rename or remove one',
      }),
    );
  }
}

/** A kind whose section is its one object (`server:`): at most once over all files. */
function mergeSingle(km: KindManifest, into: Record<string, DesiredObject>, objects: DesiredObject[], errors: LxplanError[]): void {
  for (const o of objects) {
    const prev = into[o.name];
    if (!prev) {
      into[o.name] = o;
      continue;
    }
    errors.push(
      new LxplanError('manifest.duplicate', `${km.section}: is given twice: at ${formatLocation(prev.at)} and at ${formatLocation(o.at)}`, {
        location: o.at,
        hint: `keep one ${km.section}: section over all manifest files`,
      }),
    );
  }
}

/** The top-level `project:` key: every file that says it must say the same. */
function scopeOf(m: Manifest, objects: FileObjects, errors: LxplanError[]): void {
  const said = objects.project;
  if (!said) return;
  if (m.project === undefined) {
    m.project = said.name;
    m.projectAt = said.at;
  } else if (m.project !== said.name) {
    errors.push(
      new LxplanError(
        'manifest.value',
        `the files of one directory name different LXD projects: "${m.project}" at ${formatLocation(m.projectAt!)} and "${said.name}" at ${formatLocation(said.at)}`,
        {
          location: said.at,
          hint: 'all objects of a directory live in one project: make the project: keys agree, or move the objects of the other project to their own directory',
        },
      ),
    );
  }
}

/** Whether a file declares objects (not only `remotes:`, `backend:`, `project:`, `remote:`). */
function hasObjects(o: FileObjects): boolean {
  return [...o.objects.values()].some((list) => list.length > 0);
}

/**
 * A directory spanning several daemons: the files of `remote` and the shared ones (no objects);
 * undefined when no remote is chosen (the caller loads each). A file with objects and no
 * `remote:` is an error there: which daemon it is for would be a guess.
 */
function partOf(perFile: FileObjects[], spans: string[], remote: string | undefined, errors: LxplanError[]): FileObjects[] | undefined {
  for (const o of perFile)
    if (!o.remote && hasObjects(o)) {
      const first = [...o.objects.values()].flat()[0];
      errors.push(
        new LxplanError(
          'manifest.value',
          `this file declares objects but no remote:, and the files of its directory name several daemons (${spans.join(', ')})`,
          {
            location: { file: first.at.file, line: 1, col: 1 },
            hint: `say which daemon its objects are on: remote: ${spans[0]} at the top of the file`,
          },
        ),
      );
    }
  if (remote === undefined) return undefined;
  if (!spans.includes(remote)) {
    errors.push(
      new LxplanError('usage', `no file of this directory names remote: ${remote} (they name ${spans.join(', ')})`, {
        hint: `--remote ${spans[0]} works on that daemon's files only; without --remote, lxplan works on each`,
      }),
    );
    return [];
  }
  return perFile.filter((o) => o.remote?.name === remote || (!o.remote && !hasObjects(o)));
}

/** The top-level `remote:` key (the files loaded together all name the same daemon: see partOf). */
function daemonOf(m: Manifest, objects: FileObjects): void {
  const said = objects.remote;
  if (!said || m.remote !== undefined) return;
  m.remote = said.name;
  m.remoteAt = said.at;
}

/** The top-level `backend:` key: at most one over all files. */
function backendOf(m: Manifest, objects: FileObjects, errors: LxplanError[]): void {
  const said = objects.backend;
  if (!said) return;
  if (!m.backend) {
    m.backend = said;
    return;
  }
  errors.push(
    new LxplanError('manifest.duplicate', `backend: is given twice: at ${formatLocation(m.backend.at)} and at ${formatLocation(said.at)}`, {
      location: said.at,
      hint: 'keep one backend: section over all manifest files',
    }),
  );
}

/** A `backend: {postgres: ${env:PG_URL}}`: the URL read from the environment (the password stays out of git). */
function resolveBackendEnv(b: DesiredBackend, env: NodeJS.ProcessEnv, errors: LxplanError[]): string {
  const r = resolveEnvText(b.spec, env);
  for (const name of r.missing)
    errors.push(
      new LxplanError('manifest.value', `environment variable ${name} is not set (used by backend:)`, {
        location: b.at,
        hint: `export ${name}=... before running lxplan`,
      }),
    );
  return r.text;
}

function order(files: string[], l: SourceLocation | undefined): [number, number, number] {
  if (!l) return [-1, 0, 0];
  return [files.indexOf(l.file), l.line, l.col];
}

/** All errors as one: sorted by file, line and column; the first carries the rest. */
function combine(errors: LxplanError[], files: string[]): LxplanError {
  const sorted = errors
    .map((e, i) => ({ e, k: order(files, e.location), i }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.e);
  const [first, ...rest] = sorted;
  return new LxplanError(first.code, first.message, { location: first.location, hint: first.hint, cause: first.cause, more: [...first.more, ...rest] });
}
