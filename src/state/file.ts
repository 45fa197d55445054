/**
 * The state file format: versioned JSON. `serialize` writes a stable text (sorted keys, two-space
 * indent, final newline) so a state under version control diffs cleanly; `parse` accepts exactly
 * what schemas/state.schema.json describes (keep the two in sync: test/state/file.test.ts checks
 * them against each other) and upgrades older versions through `upgraders` first.
 */
import { LxplanError } from '../errors.js';
import { KINDS } from '../resources/registry.js';
import { addressOf, type Kind } from '../resources/types.js';
import { STATE_VERSION, type DaemonRecord, type State, type StateEntry } from './model.js';

/**
 * Upgrade functions, keyed by the version they read: `upgraders[n]` turns a parsed version-n
 * document into a version-(n+1) one. Only version 1 exists so far, so the table is empty; when
 * version 2 comes, add `1: (v1) => ({ ...v1, version: 2, ... })` and parse() chains them.
 * They take and return plain JSON; the result is validated as the current version afterwards.
 */
export const upgraders: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>> = {};

/** The backup manager.ts keeps of the previous good file; named here so messages can point to it. */
export function backupPathOf(path: string): string {
  return `${path}.backup`;
}

/** ISO 8601 date-time, as Date#toISOString writes it (offsets allowed). Same pattern as the schema. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Code-unit order, not localeCompare: the file must not depend on the machine's locale. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord<V>(r: Record<string, V>, map: (v: V) => unknown = (v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r).sort(byKey)) out[k] = map(r[k]);
  return out;
}

/** Fixed key order inside an entry, so the text depends only on the values. */
function entryOut(e: StateEntry): Record<string, unknown> {
  return {
    kind: e.kind,
    name: e.name,
    since: e.since,
    ...(e.fingerprint !== undefined ? { fingerprint: e.fingerprint } : {}),
    ...(e.attributes !== undefined ? { attributes: sortedRecord(e.attributes) } : {}),
    ...(e.fields !== undefined ? { fields: sortedRecord(e.fields) } : {}),
  };
}

/** Fixed key order in the daemon record. */
function daemonOut(s: DaemonRecord): Record<string, unknown> {
  return { fingerprint: s.fingerprint, endpoint: s.endpoint, ...(s.clustered !== undefined ? { clustered: s.clustered } : {}) };
}

/** The file's text: stable, pretty JSON with `resources` sorted by address. */
export function serialize(state: State): string {
  const doc = {
    version: state.version,
    lineage: state.lineage,
    serial: state.serial,
    ...(state.project !== undefined ? { project: state.project } : {}),
    ...(state.daemon !== undefined ? { daemon: daemonOut(state.daemon) } : {}),
    resources: sortedRecord(state.resources, entryOut),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' || v === undefined ? String(v) : typeof v;
}

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], at: string, problems: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) problems.push(`${at}${at ? '.' : ''}${k}: unknown key`);
}

function checkEntry(address: string, e: unknown, problems: string[]): StateEntry | undefined {
  const at = `resources[${JSON.stringify(address)}]`;
  if (!isObject(e)) {
    problems.push(`${at}: must be an object, found ${describe(e)}`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(e, ['kind', 'name', 'since', 'fingerprint', 'attributes', 'fields'], at, problems);
  if (typeof e.kind !== 'string' || !(KINDS as readonly string[]).includes(e.kind))
    problems.push(`${at}.kind: must be one of ${KINDS.join(', ')}, found ${describe(e.kind)}`);
  if (typeof e.name !== 'string' || e.name === '') problems.push(`${at}.name: must be a non-empty string, found ${describe(e.name)}`);
  if (typeof e.since !== 'string' || !DATE_TIME.test(e.since)) problems.push(`${at}.since: must be an ISO 8601 date-time, found ${describe(e.since)}`);
  if (e.fingerprint !== undefined && (typeof e.fingerprint !== 'string' || e.fingerprint === ''))
    problems.push(`${at}.fingerprint: must be a non-empty string, found ${describe(e.fingerprint)}`);
  if (e.attributes !== undefined) {
    if (!isObject(e.attributes)) problems.push(`${at}.attributes: must be an object of strings, found ${describe(e.attributes)}`);
    else
      for (const [k, v] of Object.entries(e.attributes))
        if (typeof v !== 'string') problems.push(`${at}.attributes.${k}: must be a string, found ${describe(v)}`);
  }
  if (e.fields !== undefined) {
    if (!isObject(e.fields)) problems.push(`${at}.fields: must be an object of strings, found ${describe(e.fields)}`);
    else for (const [k, v] of Object.entries(e.fields)) if (typeof v !== 'string') problems.push(`${at}.fields.${k}: must be a string, found ${describe(v)}`);
  }
  if (problems.length > before) return undefined;
  const kind = e.kind as Kind;
  const name = e.name as string;
  if (address !== addressOf(kind, name)) {
    problems.push(`${at}: the address must be "${addressOf(kind, name)}" for kind ${kind} and name ${JSON.stringify(name)}`);
    return undefined;
  }
  return {
    kind,
    name,
    since: e.since as string,
    ...(e.fingerprint !== undefined ? { fingerprint: e.fingerprint as string } : {}),
    ...(e.attributes !== undefined ? { attributes: { ...(e.attributes as Record<string, string>) } } : {}),
    ...(e.fields !== undefined ? { fields: { ...(e.fields as Record<string, string>) } } : {}),
  };
}

/** The `daemon` record: absent, or a certificate fingerprint and the endpoint it was reached at. */
function checkDaemon(v: unknown, problems: string[]): DaemonRecord | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    problems.push(`daemon: must be an object, found ${describe(v)}`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(v, ['fingerprint', 'endpoint', 'clustered'], 'daemon', problems);
  if (typeof v.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(v.fingerprint))
    problems.push(`daemon.fingerprint: must be 64 lower-case hex digits (a SHA-256), found ${describe(v.fingerprint)}`);
  if (typeof v.endpoint !== 'string' || v.endpoint === '') problems.push(`daemon.endpoint: must be a non-empty string, found ${describe(v.endpoint)}`);
  if (v.clustered !== undefined && typeof v.clustered !== 'boolean') problems.push(`daemon.clustered: must be true or false, found ${describe(v.clustered)}`);
  if (problems.length > before) return undefined;
  return { fingerprint: v.fingerprint as string, endpoint: v.endpoint as string, ...(v.clustered !== undefined ? { clustered: v.clustered as boolean } : {}) };
}

/** The keys of a state document (every key of State, checked by the compiler). */
const STATE_KEYS: Record<keyof State, true> = { version: true, lineage: true, serial: true, project: true, daemon: true, resources: true };

/** Checks a document that claims the current version; returns a fresh State (no aliasing of `doc`). */
function checkCurrent(doc: Record<string, unknown>, path: string): State {
  const problems: string[] = [];
  unknownKeys(doc, Object.keys(STATE_KEYS), '', problems);
  if (doc.project !== undefined && (typeof doc.project !== 'string' || doc.project === ''))
    problems.push(`project: must be a non-empty string, found ${describe(doc.project)}`);
  const daemon = checkDaemon(doc.daemon, problems);
  if (typeof doc.lineage !== 'string' || doc.lineage === '') problems.push(`lineage: must be a non-empty string, found ${describe(doc.lineage)}`);
  if (typeof doc.serial !== 'number' || !Number.isSafeInteger(doc.serial) || doc.serial < 0)
    problems.push(`serial: must be a whole number >= 0, found ${describe(doc.serial)}`);
  const resources: State['resources'] = {};
  if (!isObject(doc.resources)) problems.push(`resources: must be an object, found ${describe(doc.resources)}`);
  else
    for (const [address, e] of Object.entries(doc.resources)) {
      const entry = checkEntry(address, e, problems);
      if (entry) resources[address] = entry;
    }
  if (problems.length > 0) throw malformed(path, problems);
  return {
    version: STATE_VERSION,
    lineage: doc.lineage as string,
    serial: doc.serial as number,
    ...(doc.project !== undefined ? { project: doc.project as string } : {}),
    ...(daemon !== undefined ? { daemon } : {}),
    resources,
  };
}

/** A state file that cannot be read as JSON at all; `why` says how (not UTF-8, not JSON). */
export function corruptError(path: string, why: string, cause?: unknown): LxplanError {
  const backup = backupPathOf(path);
  return new LxplanError('state.format', `state file ${path} is corrupt (${why}); the previous good version is kept in ${backup}`, {
    hint: `check ${backup} and, if it is intact, copy it over ${path}`,
    cause,
  });
}

/**
 * JSON.parse's message, fit for a terminal: the snippet it quotes can hold control characters
 * (a file of NUL bytes, as a crash can leave), shown escaped; an offset becomes line and column.
 */
function jsonProblem(message: string, text: string): string {
  // eslint-disable-next-line no-control-regex -- what is escaped: control characters
  const escaped = message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.replace(/ at position (\d+)(?: \(line \d+ column \d+\))?/, (_all, pos: string) => {
    const before = text.slice(0, Number(pos));
    const line = before.split('\n').length;
    return ` at line ${line} column ${before.length - before.lastIndexOf('\n')}`;
  });
}

function malformed(path: string, problems: string[]): LxplanError {
  const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
  return new LxplanError('state.format', `state file ${path} is malformed: ${shown}`, {
    hint: `the file does not match schemas/state.schema.json; the previous good version is kept in ${backupPathOf(path)}`,
  });
}

function unknownVersion(path: string, version: number): LxplanError {
  return new LxplanError('state.format', `state file ${path} has version ${version}; this lxplan reads state version ${STATE_VERSION}`, {
    hint:
      version > STATE_VERSION
        ? 'it was written by a newer lxplan: use that version (or newer) with this state'
        : `no lxplan ever wrote state version ${version}: the file was not written by lxplan`,
  });
}

/**
 * Reads the file's text. `path` is only for messages (pass it as the user gave it).
 * Throws LxplanError('state.format') for text that is not JSON, an unknown version, or a
 * structure that does not match the schema.
 */
export function parse(text: string, path: string): State {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw corruptError(path, `not valid JSON: ${jsonProblem((e as Error).message, text)}`, e);
  }
  if (!isObject(doc)) throw malformed(path, [`the top level must be an object, found ${describe(doc)}`]);
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) throw malformed(path, [`version: must be a whole number, found ${describe(version)}`]);
  if (version < 1 || version > STATE_VERSION) throw unknownVersion(path, version);
  let current = doc;
  for (let v = version; v < STATE_VERSION; v++) {
    const up = upgraders[v];
    if (!up) throw unknownVersion(path, version);
    current = up(current);
  }
  return checkCurrent(current, path);
}
