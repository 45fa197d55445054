/**
 * How `images:` is read from the manifests (src/manifest/kind.ts): the source (tarballs, a
 * directory to build, a remote image, or published from an instance) with paths made absolute,
 * aliases:, properties:, auto_update:, public:.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceLocation } from '../../errors.js';
import { scalarText, type EntryReader, type Field } from '../../manifest/entry.js';
import type { KindManifest } from '../../manifest/kind.js';
import { deref } from '../../manifest/parse.js';
import { plainNameProblem } from '../../manifest/names.js';
import { lxdArchitecture } from './files.js';
import { checkImageAliasClaims } from './manifest-aliases.js';
import { checkPublishedSources } from './manifest-published.js';
import { checkImageFiles, linkRemoteSources } from './manifest-sources.js';
import type { DesiredImage, DirectoryImageSource, ImageSource } from './types.js';

/** A directory image's creation_date unless given: fixed (2024-01-01T00:00:00Z), so builds are reproducible. */
export const DEFAULT_CREATION_DATE = 1704067200;

function readImage(r: EntryReader, name: string, at: SourceLocation): DesiredImage {
  const dir = path.dirname(r.file.abs);
  const src = r.fields.get('source');
  const given = new Map<string, Field>();
  if (src) {
    r.keyAt.source = r.loc(src.keyNode);
    for (const p of r.pairs(src.value)) {
      given.set(p.key, p);
      r.keyAt[`source.${p.key}`] = r.loc(p.keyNode);
    }
  }
  /** A path in source:, absolute (the schema reports a non-string). */
  const pathOf = (key: string): string => {
    const p = given.get(key);
    if (!p || !isScalar(p.value) || typeof p.value.value !== 'string') return '';
    return path.resolve(dir, p.value.value);
  };
  let source: ImageSource;
  const text = (key: string) => scalarText(given.get(key)?.value ?? null);
  if (given.has('instance')) {
    const snapshot = text('snapshot');
    source = { instance: text('instance') ?? '', ...(snapshot !== undefined ? { snapshot } : {}) };
    for (const other of ['metadata', 'rootfs', 'directory', 'architecture', 'creation_date', 'properties', 'remote', 'alias', 'fingerprint']) {
      if (given.has(other))
        r.valueError(`source.${other} of ${r.owner} does not go with source.instance: the image is published from the instance`, given.get(other)!.keyNode);
    }
  } else if (given.has('remote')) {
    const alias = text('alias');
    const fingerprint = text('fingerprint');
    // The loader fills in server, protocol and certificate from remotes:.
    source = {
      remote: text('remote') ?? '',
      ...(alias !== undefined ? { alias } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      server: '',
      protocol: 'lxd',
      certificate: '',
    };
    if ((alias === undefined) === (fingerprint === undefined)) {
      r.valueError(`source of ${r.owner} copies from remote "${text('remote')}": give alias or fingerprint (one of them)`, src!.keyNode);
    }
    for (const other of ['metadata', 'rootfs', 'directory', 'architecture', 'creation_date', 'properties']) {
      if (given.has(other))
        r.valueError(`source.${other} of ${r.owner} does not go with source.remote: the image comes from the remote server`, given.get(other)!.keyNode);
    }
  } else if (given.has('directory')) {
    source = { directory: pathOf('directory'), ...directoryMetadata(r, given) };
    for (const other of ['metadata', 'rootfs', 'alias', 'fingerprint']) {
      if (given.has(other))
        r.valueError(
          `source.${other} and source.directory of ${r.owner} are two different sources: give one`,
          given.get(other)!.keyNode,
          'source: {directory: DIR} builds the tarballs from DIR; source: {metadata: FILE, rootfs: FILE} uses tarballs you built',
        );
    }
  } else {
    source = { metadata: pathOf('metadata'), rootfs: pathOf('rootfs') };
    if (src && isMap(src.value)) {
      if (given.has('snapshot'))
        r.valueError(`source.snapshot of ${r.owner} names a snapshot to publish: give source.instance too`, given.get('snapshot')!.keyNode);
      for (const k of ['architecture', 'creation_date', 'properties', 'alias', 'fingerprint']) {
        if (given.has(k))
          r.valueError(
            k === 'alias' || k === 'fingerprint'
              ? `source.${k} of ${r.owner} names an image on a remote server: give source.remote too`
              : `source.${k} of ${r.owner} applies to source.directory only (a split image's metadata tarball has its own metadata.yaml)`,
            given.get(k)!.keyNode,
          );
      }
    }
  }
  const pub = r.fields.get('public');
  if (pub) r.keyAt.public = r.loc(pub.keyNode);
  const isPublic = isScalar(pub?.value) && pub.value.value === true;
  const project = r.text('project');
  return { ...(project ? { project } : {}), kind: 'image', name, at, keyAt: r.keyAt, source, public: isPublic, ...imageSettings(r, name) };
}

/** metadata.yaml of a directory image: architecture (default the host's), creation_date (default fixed), properties. */
function directoryMetadata(r: EntryReader, given: Map<string, Field>): Omit<DirectoryImageSource, 'directory'> {
  const architecture = scalarText(given.get('architecture')?.value ?? null) ?? lxdArchitecture();
  let creationDate = DEFAULT_CREATION_DATE;
  const cd = given.get('creation_date');
  if (cd) {
    const v = isScalar(cd.value) ? cd.value.value : undefined;
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) / 1000 : NaN;
    if (Number.isInteger(t) && t >= 0) creationDate = t;
    else r.valueError(`invalid creation_date of ${r.owner}: give Unix seconds (1704067200) or a date (2024-01-01 or 2024-01-01T00:00:00Z)`, cd.value);
  }
  const properties: Record<string, string> = {};
  for (const p of r.pairs(given.get('properties')?.value ?? null)) {
    const v = scalarText(p.value);
    if (v !== undefined) properties[p.key] = v;
  }
  return { architecture, creationDate, properties };
}

/** aliases:, properties:, auto_update: (each absent unless given). */
function imageSettings(r: EntryReader, name: string): Pick<DesiredImage, 'aliases' | 'properties' | 'autoUpdate'> {
  const out: Pick<DesiredImage, 'aliases' | 'properties' | 'autoUpdate'> = {};
  const al = r.fields.get('aliases');
  if (al) {
    r.keyAt.aliases = r.loc(al.keyNode);
    const aliases: string[] = [];
    if (isSeq(al.value)) {
      al.value.items.forEach((item, i) => {
        const node = deref(r.file, item);
        const v = scalarText(node);
        if (v === undefined) return;
        r.keyAt[`aliases.${i}`] = r.loc(node);
        if (v === name) r.valueError(`alias "${v}" of ${r.owner} is its name already: the name is always an alias`, node);
        else if (aliases.includes(v)) r.valueError(`alias "${v}" of ${r.owner} is listed twice`, node);
        else aliases.push(v);
      });
    }
    out.aliases = aliases;
  }
  const pr = r.fields.get('properties');
  if (pr) {
    r.keyAt.properties = r.loc(pr.keyNode);
    const properties: Record<string, string> = {};
    for (const p of r.pairs(pr.value)) {
      const v = scalarText(p.value);
      if (v === undefined) continue;
      properties[p.key] = v;
      r.keyAt[`properties.${p.key}`] = r.loc(p.keyNode);
    }
    out.properties = properties;
  }
  const au = r.fields.get('auto_update');
  if (au) {
    r.keyAt.auto_update = r.loc(au.keyNode);
    out.autoUpdate = isScalar(au.value) && au.value.value === true;
  }
  return out;
}

/** An image given by fingerprint may use a unique prefix, as LXD allows. */
function knownImage(name: string, known: ReadonlySet<string>): boolean {
  if (known.has(name)) return true;
  if (!/^[0-9a-f]{12,64}$/.test(name)) return false;
  for (const k of known) if (/^[0-9a-f]{64}$/.test(k) && k.startsWith(name)) return true;
  return false;
}

export const imageManifest: KindManifest<DesiredImage> = {
  section: 'images',
  normalise: readImage,
  store(m, objects) {
    m.images = objects;
  },
  /** The key is an alias: it ends up in URL paths. */
  nameProblem: (name) => plainNameProblem('image alias', name),
  /** An alias or a fingerprint (prefix) LXD has; fingerprints are not offered as did-you-means. */
  referenced: {
    known: 'images',
    always: true,
    isKnown: knownImage,
    suggest: (n) => !/^[0-9a-f]{64}$/.test(n),
    hint: 'define it under images:, or import it into LXD first',
  },
  checks: [checkImageAliasClaims, linkRemoteSources, checkPublishedSources, checkImageFiles],
};
