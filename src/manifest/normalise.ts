/**
 * One parsed manifest file to desired objects (src/resources/types.ts): each top-level section
 * read by its kind's manifest.ts (src/resources/<kind>/, found through the registry), which fills
 * in defaults, keeps every value a string exactly as written and the position of every key, and
 * checks what the schema cannot. It works on the node tree and tolerates anything the schema
 * rejects (it skips it), so one run reports schema and value problems together.
 */
import path from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import type { LxplanError, SourceLocation } from '../errors.js';
import { SCOPE_KEY } from '../resources/project/manifest.js';
import { registry } from '../resources/registry.js';
import type { DesiredBackend, DesiredObject, DesiredRemote, Kind } from '../resources/types.js';
import { EntryReader, pairs, scalarText } from './entry.js';
import type { KindManifest } from './kind.js';
import { deref, locate, type SourceFile } from './parse.js';

export { scalarText } from './entry.js';

export interface FileObjects {
  /** The objects of each kind with a section, in file order. */
  objects: Map<Kind, DesiredObject[]>;
  /** `remotes:`: image servers. */
  remotes: DesiredRemote[];
  /** The top-level `project:` key: the LXD project this file's objects live in. */
  project?: { name: string; at: SourceLocation };
  /** The top-level `remote:` key: the daemon this file's objects live on. */
  remote?: { name: string; at: SourceLocation };
  /** The top-level `backend:` key, as a --state value (a file path made absolute). */
  backend?: DesiredBackend;
  errors: LxplanError[];
}

/** The kind whose section is `key`, with its manifest reader. */
function readerOf(key: string): { kind: Kind; manifest: KindManifest } | undefined {
  const e = registry.find((k) => k.manifest.section === key && k.manifest.normalise);
  return e ? { kind: e.kind, manifest: e.manifest } : undefined;
}

export function normaliseFile(file: SourceFile): FileObjects {
  const out: FileObjects = { objects: new Map(), remotes: [], errors: [] };
  for (const section of pairs(file, deref(file, file.doc.contents))) {
    if (section.key === SCOPE_KEY) {
      const name = scalarText(section.value);
      if (name !== undefined && isScalar(section.value) && typeof section.value.value === 'string') out.project = { name, at: locate(file, section.value) };
      continue;
    }
    if (section.key === 'remote') {
      const name = scalarText(section.value);
      if (name !== undefined && isScalar(section.value) && typeof section.value.value === 'string') out.remote = { name, at: locate(file, section.value) };
      continue;
    }
    if (section.key === 'backend') {
      out.backend = backendOf(file, section.value);
      continue;
    }
    if (section.key === 'remotes') {
      out.remotes.push(...remotesOf(file, section.value));
      continue;
    }
    const reader = readerOf(section.key);
    if (!reader) continue; // the schema reports it
    const list = out.objects.get(reader.kind) ?? [];
    out.objects.set(reader.kind, list);
    const single = reader.manifest.single;
    // A single object's section is its body (`server: {config: ...}`), named by the kind; else the section maps names to bodies.
    const entries = single
      ? [{ key: single.name, keyNode: section.keyNode, value: section.value, segs: [section.key] }]
      : pairs(file, section.value).map((p) => ({ ...p, segs: [section.key, p.key] }));
    for (const e of entries) {
      if (!isMap(e.value)) continue;
      list.push(reader.manifest.normalise!(new EntryReader(file, e.segs, e.value, out.errors), e.key, locate(file, e.keyNode)));
    }
  }
  return out;
}

/** The keys of a `remotes:` entry that may name a file or hold `${env:NAME}`; read by src/manifest/remotes.ts. */
export const REMOTE_SECRET_KEYS = ['certificate', 'fingerprint', 'ca', 'client_certificate', 'client_key'] as const;

/** `remotes: {NAME: {url, protocol, certificate, ...}}`: the keys as written, positions kept (the schema checks the rest). */
function remotesOf(file: SourceFile, node: Node | null): DesiredRemote[] {
  const dir = path.dirname(file.abs);
  const out: DesiredRemote[] = [];
  for (const r of pairs(file, node)) {
    if (!isMap(r.value)) continue;
    const keyAt: Record<string, SourceLocation> = {};
    const fields = new Map(pairs(file, r.value).map((p) => [p.key, p]));
    const text = (k: string) => {
      const f = fields.get(k);
      if (f) keyAt[k] = locate(file, f.keyNode);
      return f ? scalarText(f.value) : undefined;
    };
    const url = text('url') ?? '';
    const protocol = text('protocol') === 'simplestreams' ? 'simplestreams' : 'lxd';
    const raw: Record<string, string> = {};
    for (const k of REMOTE_SECRET_KEYS) {
      const v = text(k);
      if (v) raw[k] = v;
    }
    const cert = raw.certificate;
    out.push({
      name: r.key,
      at: locate(file, r.keyNode),
      url,
      protocol,
      ...(cert && !cert.includes('${env:') ? { certificatePath: path.resolve(dir, cert) } : {}),
      raw,
      dir,
      keyAt,
    });
  }
  return out;
}

/** `backend: {file: PATH}` / `{lxd: NAME}` / `{postgres: URL}`: as the --state value it means (the schema checks the shape). */
function backendOf(file: SourceFile, node: Node | null): DesiredBackend | undefined {
  const [only] = pairs(file, node);
  if (!only) return undefined;
  const value = scalarText(only.value);
  if (!value) return undefined;
  const at = locate(file, only.keyNode);
  if (only.key === 'file') return { spec: path.resolve(path.dirname(file.abs), value), at };
  if (only.key === 'lxd') return { spec: `lxd:${value}`, at };
  if (only.key === 'postgres') return { spec: value, at };
  return undefined;
}
