/**
 * One parsed manifest file to desired objects (src/resources/types.ts): defaults filled in,
 * `limits:` folded into config as `limits.<key>`, every value a string exactly as written,
 * image paths made absolute, and the position of every key kept for later messages.
 *
 * It also checks what the schema cannot: limit values (12XB, a bad CPU set), a limit given
 * both in `limits:` and in `config:`, limits that do not apply to the instance type.
 * It works on the node tree and tolerates anything the schema rejects (it skips it), so one
 * run reports schema and value problems together.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { LxplanError, type SourceLocation } from '../errors.js';
import type { ConfigMap, Device, DeviceMap } from '../lxd/types.js';
import { LIMITS, limitApplies, limitHint, validateConfigValue, validateLimit } from '../resources/limits.js';
import { validateDevice } from '../resources/devices.js';
import { lxdArchitecture } from '../resources/image/files.js';
import { isProjectKey, projectKeyHint, projectKeyProblem } from '../resources/project/keys.js';
import { SERVER_NAME, serverSecretKeys, validateServerValue } from '../resources/server/spec.js';
import {
  splitVolumeName, type CopySource, type DesiredFile, type DesiredServer, type DesiredImage, type DesiredInstance, type DesiredObject, type DesiredProfile, type DesiredStoragePool,
  type DesiredRemote, type DirectoryImageSource, type ImageSource, type DesiredProject,
  type DesiredStorageVolume, type InstanceState, type Kind, type StorageDriver,
} from '../resources/types.js';
import { parseByteSizeBig } from '../resources/units.js';
import { sha256Of } from '../resources/instance/files.js';
import { cloudInitTwice } from '../resources/instance/keys.js';
import { isSection, KIND_OF } from './context.js';
import { closestName } from './hints.js';
import { schemaKeys } from './schema.js';
import { deref, formatLocation, locate, type SourceFile } from './parse.js';
import { EntryReader, pairs, scalarText } from './entry.js';
import type { KindManifest } from './kind.js';
import { registry } from '../resources/registry.js';

/** A directory image's creation_date unless given: fixed (2024-01-01T00:00:00Z), so builds are reproducible. */
export const DEFAULT_CREATION_DATE = 1704067200;

export interface FileObjects {
  /** The objects of each kind read by its manifest.ts (src/manifest/kind.ts), in file order. */
  objects: Map<Kind, DesiredObject[]>;
  images: DesiredImage[];
  profiles: DesiredProfile[];
  instances: DesiredInstance[];
  storagePools: DesiredStoragePool[];
  storageVolumes: DesiredStorageVolume[];
  /** `server:` of this file (at most one; the loader refuses a second over all files). */
  server: DesiredServer[];
  /** `remotes:`: image servers. */
  remotes: DesiredRemote[];
  projects: DesiredProject[];
  /** The top-level `project:` key: the LXD project this file's objects live in. */
  project?: { name: string; at: SourceLocation };
  errors: LxplanError[];
}

/** The kind whose section is `key`, with its manifest reader. */
function readerOf(key: string): { kind: Kind; manifest: KindManifest } | undefined {
  const e = registry.find((k) => k.manifest?.section === key && k.manifest.normalise);
  return e ? { kind: e.kind, manifest: e.manifest! } : undefined;
}

export function normaliseFile(file: SourceFile): FileObjects {
  const out: FileObjects = { objects: new Map(), images: [], profiles: [], instances: [], storagePools: [], storageVolumes: [], server: [], remotes: [], projects: [], errors: [] };
  for (const section of pairs(file, deref(file, file.doc.contents))) {
    if (section.key === 'project') {
      const name = scalarText(section.value);
      if (name !== undefined && isScalar(section.value) && typeof section.value.value === 'string') out.project = { name, at: locate(file, section.value) };
      continue;
    }
    const reader = readerOf(section.key);
    if (reader) {
      const list = out.objects.get(reader.kind) ?? [];
      out.objects.set(reader.kind, list);
      const single = reader.manifest.single;
      const entries = single ? [{ key: single.name, keyNode: section.keyNode, value: section.value, segs: [section.key] }]
        : pairs(file, section.value).map((p) => ({ ...p, segs: [section.key, p.key] }));
      for (const e of entries) {
        if (!isMap(e.value)) continue;
        list.push(reader.manifest.normalise!(new EntryReader(file, e.segs, e.value, out.errors), e.key, locate(file, e.keyNode)));
      }
      continue;
    }
    if (section.key === 'server' && isMap(section.value)) {
      out.server.push(new ObjectBuilder(file, ['server'], section.value, out.errors).server(locate(file, section.keyNode)));
      continue;
    }
    if (section.key === 'remotes') out.remotes.push(...remotesOf(file, section.value));
    if (!isSection(section.key)) continue;
    for (const obj of pairs(file, section.value)) {
      if (!isMap(obj.value)) continue;
      const b = new ObjectBuilder(file, [section.key, obj.key], obj.value, out.errors);
      const at = locate(file, obj.keyNode);
      switch (section.key) {
        case 'images': out.images.push(b.image(obj.key, at)); break;
        case 'profiles': out.profiles.push(b.profile(obj.key, at)); break;
        case 'instances': out.instances.push(b.instance(obj.key, at)); break;
        case 'storage_pools': out.storagePools.push(b.storagePool(obj.key, at)); break;
        case 'storage_volumes': out.storageVolumes.push(b.storageVolume(obj.key, at)); break;
        case 'projects': out.projects.push(b.project(obj.key, at)); break;
      }
    }
  }
  return out;
}

/** The keys of an instance, from the schema (read on first use). */
let instanceKeys: ReadonlySet<string> | undefined;

/** `remotes: {NAME: {url, protocol, certificate}}`: certificate paths made absolute, positions kept (the schema checks the rest). */
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
    const cert = text('certificate');
    out.push({ name: r.key, at: locate(file, r.keyNode), url, protocol, ...(cert ? { certificatePath: path.resolve(dir, cert) } : {}), keyAt });
  }
  return out;
}

/** Builds one desired object of a kind not yet read by its own manifest.ts. */
class ObjectBuilder extends EntryReader {
  image(name: string, at: SourceLocation): DesiredImage {
    const dir = path.dirname(this.file.abs);
    const src = this.fields.get('source');
    const given = new Map<string, { keyNode: Node; value: Node | null }>();
    if (src) {
      this.keyAt.source = this.loc(src.keyNode);
      for (const p of this.pairs(src.value)) {
        given.set(p.key, p);
        this.keyAt[`source.${p.key}`] = this.loc(p.keyNode);
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
        if (given.has(other)) this.valueError(`source.${other} of ${this.owner} does not go with source.instance: the image is published from the instance`, given.get(other)!.keyNode);
      }
    } else if (given.has('remote')) {
      const alias = text('alias');
      const fingerprint = text('fingerprint');
      // The loader fills in server, protocol and certificate from remotes:.
      source = { remote: text('remote') ?? '', ...(alias !== undefined ? { alias } : {}), ...(fingerprint !== undefined ? { fingerprint } : {}), server: '', protocol: 'lxd', certificate: '' };
      if ((alias === undefined) === (fingerprint === undefined)) {
        this.valueError(`source of ${this.owner} copies from remote "${text('remote')}": give alias or fingerprint (one of them)`, src!.keyNode);
      }
      for (const other of ['metadata', 'rootfs', 'directory', 'architecture', 'creation_date', 'properties']) {
        if (given.has(other)) this.valueError(`source.${other} of ${this.owner} does not go with source.remote: the image comes from the remote server`, given.get(other)!.keyNode);
      }
    } else if (given.has('directory')) {
      source = { directory: pathOf('directory'), ...this.directoryMetadata(given) };
      for (const other of ['metadata', 'rootfs', 'alias', 'fingerprint']) {
        if (given.has(other)) this.valueError(`source.${other} and source.directory of ${this.owner} are two different sources: give one`, given.get(other)!.keyNode, 'source: {directory: DIR} builds the tarballs from DIR; source: {metadata: FILE, rootfs: FILE} uses tarballs you built');
      }
    } else {
      source = { metadata: pathOf('metadata'), rootfs: pathOf('rootfs') };
      if (src && isMap(src.value)) {
        if (given.has('snapshot')) this.valueError(`source.snapshot of ${this.owner} names a snapshot to publish: give source.instance too`, given.get('snapshot')!.keyNode);
        for (const k of ['architecture', 'creation_date', 'properties', 'alias', 'fingerprint']) {
          if (given.has(k)) this.valueError(k === 'alias' || k === 'fingerprint'
            ? `source.${k} of ${this.owner} names an image on a remote server: give source.remote too`
            : `source.${k} of ${this.owner} applies to source.directory only (a split image's metadata tarball has its own metadata.yaml)`, given.get(k)!.keyNode);
        }
      }
    }
    const pub = this.fields.get('public');
    if (pub) this.keyAt.public = this.loc(pub.keyNode);
    const isPublic = isScalar(pub?.value) && pub!.value.value === true;
    const project = this.text('project');
    return { ...(project ? { project } : {}), kind: 'image', name, at, keyAt: this.keyAt, source, public: isPublic, ...this.imageSettings(name) };
  }

  /** metadata.yaml of a directory image: architecture (default the host's), creation_date (default fixed), properties. */
  private directoryMetadata(given: Map<string, { keyNode: Node; value: Node | null }>): Omit<DirectoryImageSource, 'directory'> {
    const architecture = scalarText(given.get('architecture')?.value ?? null) ?? lxdArchitecture();
    let creationDate = DEFAULT_CREATION_DATE;
    const cd = given.get('creation_date');
    if (cd) {
      const v = isScalar(cd.value) ? cd.value.value : undefined;
      const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) / 1000 : NaN;
      if (Number.isInteger(t) && t >= 0) creationDate = t;
      else this.valueError(`invalid creation_date of ${this.owner}: give Unix seconds (1704067200) or a date (2024-01-01 or 2024-01-01T00:00:00Z)`, cd.value);
    }
    const properties: Record<string, string> = {};
    for (const p of this.pairs(given.get('properties')?.value ?? null)) {
      const v = scalarText(p.value);
      if (v !== undefined) properties[p.key] = v;
    }
    return { architecture, creationDate, properties };
  }

  /** aliases:, properties:, auto_update: (each absent unless given). */
  private imageSettings(name: string): Pick<DesiredImage, 'aliases' | 'properties' | 'autoUpdate'> {
    const out: Pick<DesiredImage, 'aliases' | 'properties' | 'autoUpdate'> = {};
    const al = this.fields.get('aliases');
    if (al) {
      this.keyAt.aliases = this.loc(al.keyNode);
      const aliases: string[] = [];
      if (isSeq(al.value)) {
        al.value.items.forEach((item, i) => {
          const node = deref(this.file, item);
          const v = scalarText(node);
          if (v === undefined) return;
          this.keyAt[`aliases.${i}`] = this.loc(node);
          if (v === name) this.valueError(`alias "${v}" of ${this.owner} is its name already: the name is always an alias`, node);
          else if (aliases.includes(v)) this.valueError(`alias "${v}" of ${this.owner} is listed twice`, node);
          else aliases.push(v);
        });
      }
      out.aliases = aliases;
    }
    const pr = this.fields.get('properties');
    if (pr) {
      this.keyAt.properties = this.loc(pr.keyNode);
      const properties: Record<string, string> = {};
      for (const p of this.pairs(pr.value)) {
        const v = scalarText(p.value);
        if (v === undefined) continue;
        properties[p.key] = v;
        this.keyAt[`properties.${p.key}`] = this.loc(p.keyNode);
      }
      out.properties = properties;
    }
    const au = this.fields.get('auto_update');
    if (au) {
      this.keyAt.auto_update = this.loc(au.keyNode);
      out.autoUpdate = isScalar(au.value) && au.value.value === true;
    }
    return out;
  }

  profile(name: string, at: SourceLocation): DesiredProfile {
    const description = this.text('description') ?? '';
    const { config, devices } = this.configAndDevices(undefined);
    return { kind: 'profile', name, at, keyAt: this.keyAt, description, config, devices, ...this.sensitive() };
  }

  instance(name: string, at: SourceLocation): DesiredInstance {
    const image = this.text('image') ?? '';
    const state = (this.text('state') ?? 'running') as InstanceState;
    const type = (this.text('type') ?? 'container') as DesiredInstance['type'];
    const description = this.text('description') ?? '';
    let profiles = ['default'];
    const pf = this.fields.get('profiles');
    if (pf) {
      this.keyAt.profiles = this.loc(pf.keyNode);
      if (isSeq(pf.value)) {
        profiles = [];
        pf.value.items.forEach((item, i) => {
          const node = deref(this.file, item);
          const v = scalarText(node);
          if (v === undefined) return;
          this.keyAt[`profiles.${i}`] = this.loc(node);
          profiles.push(v);
        });
      }
    }
    const { config, devices } = this.configAndDevices(type === 'virtual-machine' || type === 'container' ? type : undefined);
    const protect = this.text('protect') === 'true';
    if (protect) config['security.protection.delete'] = 'true';
    const restart = this.text('restart') === 'auto' ? 'auto' : 'manual';
    const renamedFrom = this.text('renamed_from');
    // Named snapshots, each item's position kept as keyAt["snapshots.<i>"] (the loader makes them objects).
    const snapshots: string[] = [];
    const sf = this.fields.get('snapshots');
    if (sf) {
      this.keyAt.snapshots = this.loc(sf.keyNode);
      if (isSeq(sf.value)) {
        sf.value.items.forEach((item) => {
          const node = deref(this.file, item);
          const v = scalarText(node);
          if (v === undefined || snapshots.includes(v)) return;
          this.keyAt[`snapshots.${snapshots.length}`] = this.loc(node);
          snapshots.push(v);
        });
      }
    }
    const copyOf = this.copySource(at);
    const files = this.files();
    if (files && type === 'virtual-machine') {
      // LXD writes a VM's files through the lxd-agent inside it, which runs only while the VM does:
      // lxplan writes files before the first start.
      this.valueError(`files: of ${this.owner} are for containers only: LXD writes a virtual machine's files through its agent, which needs the VM running`, this.fields.get('files')!.keyNode,
        'use cloud-init data (cloud-init.user-data write_files) for a virtual machine');
    }
    const ephemeralText = this.text('ephemeral');
    const ephemeral = ephemeralText === undefined ? undefined : ephemeralText === 'true';
    const architecture = this.text('architecture');
    const project = this.text('project');
    return {
      ...(project ? { project } : {}),
      kind: 'instance', name, at, keyAt: this.keyAt, image, profiles, description, config, devices, state, type,
      protect, restart, ...(renamedFrom ? { renamedFrom } : {}), ...this.sensitive(), ...(snapshots.length > 0 ? { snapshots } : {}),
      ...(copyOf ? { copyOf } : {}), ...(files ? { files } : {}), ...(ephemeral !== undefined ? { ephemeral } : {}), ...(architecture ? { architecture } : {}),
    };
  }

  /**
   * `source: {instance, snapshot}` (a copy) instead of `image:`: exactly one of them. Checked here
   * rather than in the schema, whose oneOf findings read badly. A typo of either key is left to
   * the schema's unknown-key error (its did-you-mean), so one mistake gives one error.
   */
  private copySource(at: SourceLocation): CopySource | undefined {
    const src = this.fields.get('source');
    const hasImage = this.fields.has('image');
    if (!src) {
      instanceKeys ??= new Set(schemaKeys('instance'));
      const typo = [...this.fields.keys()].some((k) => !instanceKeys!.has(k) && closestName(k, ['image', 'source']) !== undefined);
      if (!hasImage && !typo) {
        this.errors.push(new LxplanError('manifest.schema', `missing key "image" in ${this.owner}`, {
          location: at, hint: 'name an image alias from images: or one that exists in LXD, or copy an instance with source: {instance: NAME}',
        }));
      }
      return undefined;
    }
    this.keyAt.source = this.loc(src.keyNode);
    if (hasImage) {
      this.errors.push(new LxplanError('manifest.value', `${this.owner} gives both image: (at ${formatLocation(this.keyAt.image)}) and source:`, {
        location: this.keyAt.source, hint: 'an instance is made from an image or copied from another instance: keep one of them',
      }));
    }
    const out: Partial<CopySource> = {};
    for (const p of this.pairs(src.value)) {
      if (p.key !== 'instance' && p.key !== 'snapshot') continue;
      const v = scalarText(p.value);
      if (v === undefined || v === '') continue; // the schema reports it
      out[p.key] = v;
      this.keyAt[`source.${p.key}`] = this.loc(p.keyNode);
    }
    return out.instance ? { instance: out.instance, ...(out.snapshot ? { snapshot: out.snapshot } : {}) } : undefined;
  }

  /**
   * `files: {/path: {content: ... | source: ./file, mode, uid, gid, sensitive}}`. Inline content is
   * hashed here; a `source:` file is read by the loader (readInstanceFiles), relative to this
   * manifest's folder. Each file's key position is kept as keyAt["files.<path>"].
   */
  private files(): Record<string, DesiredFile> | undefined {
    const f = this.fields.get('files');
    if (!f) return undefined;
    this.keyAt.files = this.loc(f.keyNode);
    const out: Record<string, DesiredFile> = {};
    for (const p of this.pairs(f.value)) {
      this.keyAt[`files.${p.key}`] = this.loc(p.keyNode);
      if (!p.key.startsWith('/') || p.key.endsWith('/') || p.key.split('/').some((s) => s === '..' || s === '.')) {
        this.valueError(`file path "${p.key}" of ${this.owner} must be an absolute path to a file inside the instance, such as /etc/motd`, p.keyNode);
        continue;
      }
      if (!isMap(p.value)) continue; // the schema reports it
      const e = new Map(this.pairs(p.value).map((x) => [x.key, x]));
      const content = e.get('content');
      const source = e.get('source');
      if ((content === undefined) === (source === undefined)) {
        this.valueError(`file "${p.key}" of ${this.owner} needs exactly one of content: and source:`, content === undefined ? p.keyNode : source!.keyNode,
          'content: is the text itself; source: is a file beside the manifest whose bytes are pushed');
        continue;
      }
      const modeNode = e.get('mode')?.value ?? null;
      const modeText = scalarText(modeNode) ?? '0644';
      const mode = /^(0o|0)?[0-7]{3}$/.test(modeText) ? `0${modeText.slice(-3)}` : undefined;
      if (mode === undefined) {
        this.valueError(`invalid mode "${modeText}" of file "${p.key}" of ${this.owner}: write it in octal, like "0644" or "0600"`, modeNode);
        continue;
      }
      const id = (k: 'uid' | 'gid') => Number(scalarText(e.get(k)?.value ?? null) ?? 0);
      const sensitive = isScalar(e.get('sensitive')?.value) && (e.get('sensitive')!.value as { value: unknown }).value === true;
      const base = { mode, uid: id('uid'), gid: id('gid'), ...(sensitive ? { sensitive } : {}) };
      if (content) {
        const text = scalarText(content.value);
        if (text === undefined) continue; // the schema reports it
        const bytes = Buffer.from(text, 'utf8');
        out[p.key] = { content: bytes.toString('base64'), sha256: sha256Of(bytes), ...base };
      } else {
        const rel = scalarText(source!.value);
        if (rel === undefined || rel === '') continue; // the schema reports it
        this.keyAt[`files.${p.key}.source`] = this.loc(source!.value);
        out[p.key] = { content: '', sha256: '', source: path.resolve(path.dirname(this.file.abs), rel), ...base };
      }
    }
    return out;
  }

  storagePool(name: string, at: SourceLocation): DesiredStoragePool {
    const driver = (this.text('driver') ?? '') as StorageDriver;
    const description = this.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = this.plainConfig(nodes);
    this.checkKeys({ kind: 'storage_pool', driver }, config, nodes);
    return { kind: 'storage_pool', name, at, keyAt: this.keyAt, driver, description, config, ...this.sensitive() };
  }

  /** `server: {config: ...}`: the LXD server's keys, with cheap value checks (integers, booleans). */
  server(at: SourceLocation): DesiredServer {
    const nodes = new Map<string, Node | null>();
    const config = this.plainConfig(nodes);
    for (const [k, v] of Object.entries(config)) {
      const problem = validateServerValue(k, v);
      if (problem) this.valueError(problem, nodes.get(k) ?? null);
    }
    this.checkKeys({ kind: 'server' }, config, nodes, 'the server');
    const secret = serverSecretKeys(config);
    return { kind: 'server', name: SERVER_NAME, at, keyAt: this.keyAt, config, ...(secret.length > 0 ? { sensitive: secret } : {}) };
  }

  /** A project: description and config, each config value checked against LXD's project keys (project-keys.ts). */
  project(name: string, at: SourceLocation): DesiredProject {
    const description = this.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = this.plainConfig(nodes);
    for (const [k, v] of Object.entries(config)) {
      const problem = projectKeyProblem(k, v);
      // An unknown key is reported at the key, as for every other kind (config-keys.ts); a bad value at the value.
      const known = isProjectKey(k);
      if (problem) this.errors.push(new LxplanError(known ? 'manifest.value' : 'manifest.schema', `${problem} (${this.owner})`, { location: known ? this.loc(nodes.get(k) ?? null) : this.keyAt[`config.${k}`], hint: projectKeyHint(k) }));
    }
    return { kind: 'project', name, at, keyAt: this.keyAt, description, config };
  }

  /** A custom volume keyed "POOL/VOLUME"; `size:` is the short form of config: {size: ...}. */
  storageVolume(name: string, at: SourceLocation): DesiredStorageVolume {
    const { pool, volume } = splitVolumeName(name);
    const contentType = this.text('content_type') === 'block' ? 'block' : 'filesystem';
    const description = this.text('description') ?? '';
    const valueNodes = new Map<string, Node | null>();
    const config = this.plainConfig(valueNodes);
    const size = this.text('size');
    if (size !== undefined) {
      if ('size' in config) {
        this.errors.push(new LxplanError('manifest.value', `the size of ${this.owner} is given twice: size: at ${formatLocation(this.keyAt.size)} and in config: at ${formatLocation(this.keyAt['config.size'])}`, {
          location: this.keyAt.size, hint: 'keep one of them (size: 10GB is the short form of config: {size: 10GB})',
        }));
      } else {
        config.size = size;
        valueNodes.set('size', this.fields.get('size')!.value);
        this.keyAt['config.size'] = this.keyAt.size;
      }
    }
    if (config.size !== undefined && parseByteSizeBig(config.size) === null) {
      this.valueError(`invalid size "${config.size}" of ${this.owner}: a size is a whole number with a unit like 10GB or 10GiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)`, valueNodes.get('size') ?? null);
    }
    // Keys of any driver's volumes here; the loader checks them against the pool's driver once it knows it.
    this.checkKeys({ kind: 'storage_volume' }, config, valueNodes);
    return { kind: 'storage_volume', name, at, keyAt: this.keyAt, pool, volume, contentType, description, config, ...this.sensitive() };
  }

  /** config:, limits: (folded in) and devices:, with their value checks. */
  private configAndDevices(type: 'container' | 'virtual-machine' | undefined): { config: ConfigMap; devices: DeviceMap } {
    const config: ConfigMap = {};
    const cfg = this.fields.get('config');
    if (cfg) {
      this.keyAt.config = this.loc(cfg.keyNode);
      const nodes = new Map<string, Node | null>();
      for (const p of this.pairs(cfg.value)) {
        const v = scalarText(p.value);
        if (v === undefined) continue;
        config[p.key] = v;
        this.keyAt[`config.${p.key}`] = this.loc(p.keyNode);
        const problem = validateConfigValue(p.key, v);
        if (problem) this.valueError(problem, p.value, p.key.startsWith('limits.') ? limitHint(p.key.slice(7), v) : undefined);
        else nodes.set(p.key, p.value);
      }
      // The keys whose value was refused above are known (or refused with a better message).
      this.checkKeys(this.segs[0] === 'instances' ? { kind: 'instance', type } : { kind: 'profile' }, Object.fromEntries([...nodes.keys()].map((k) => [k, config[k]])), nodes);
    }

    for (const [key, legacy] of cloudInitTwice(Object.keys(config))) {
      this.errors.push(new LxplanError('manifest.value', `${this.owner} gives cloud-init data twice: ${key} and ${legacy} (its legacy name)`, {
        location: this.keyAt[`config.${legacy}`], hint: `keep one of them (${key} on LXD 5.0 and later)`,
      }));
    }

    let diskLimit: { value: string; keyNode: Node } | undefined;
    const lim = this.fields.get('limits');
    if (lim) {
      this.keyAt.limits = this.loc(lim.keyNode);
      for (const p of this.pairs(lim.value)) {
        const v = scalarText(p.value);
        if (v === undefined || !LIMITS[p.key]) continue; // the schema reports both
        const problem = validateLimit(p.key, v);
        if (problem) this.valueError(problem, p.value, limitHint(p.key, v));
        const full = `limits.${p.key}`;
        this.keyAt[full] = this.loc(p.keyNode);
        if (p.key === 'disk') {
          diskLimit = { value: v, keyNode: p.keyNode };
          continue;
        }
        if (full in config) {
          const inLimits = this.loc(p.keyNode);
          const inConfig = this.keyAt[`config.${full}`];
          const later = inLimits.line > inConfig.line || (inLimits.line === inConfig.line && inLimits.col > inConfig.col) ? inLimits : inConfig;
          this.errors.push(new LxplanError('manifest.value',
            `${full} is given twice in ${this.owner}: in limits: at ${formatLocation(inLimits)} and in config: at ${formatLocation(inConfig)}`,
            { location: later, hint: `keep one of them (limits: {${p.key}: ...} is the short form of config: {${full}: ...})` }));
          continue;
        }
        config[full] = v;
      }
    }

    if (type) {
      for (const key of Object.keys(config)) {
        const k = key.startsWith('limits.') ? key.slice(7) : undefined;
        if (k === undefined || !LIMITS[k] || limitApplies(k, type)) continue;
        const only = LIMITS[k].appliesTo === 'vm' ? 'virtual machines' : 'containers';
        this.errors.push(new LxplanError('manifest.value', `${key} applies to ${only} only, and ${this.owner} is a ${type}`, {
          location: this.keyAt[key] ?? this.keyAt[`config.${key}`],
          hint: 'remove it here, or set it in a profile used only by ' + only,
        }));
      }
    }

    const devices: DeviceMap = {};
    const dv = this.fields.get('devices');
    if (dv) {
      this.keyAt.devices = this.loc(dv.keyNode);
      for (const d of this.pairs(dv.value)) {
        if (!isMap(d.value)) continue;
        const dev: Device = {};
        this.keyAt[`devices.${d.key}`] = this.loc(d.keyNode);
        const entries = this.pairs(d.value);
        let skipped = false;
        for (const p of entries) {
          const v = scalarText(p.value);
          if (v === undefined) {
            skipped = true; // the schema reports it
            continue;
          }
          dev[p.key] = v;
          this.keyAt[`devices.${d.key}.${p.key}`] = this.loc(p.keyNode);
        }
        // Options, required keys and value forms per device type (src/resources/devices.ts).
        for (const problem of validateDevice(dev, type)) {
          if (skipped && problem.key === undefined) continue; // "missing source" next to a source the schema refuses helps no one
          const entry = problem.key === undefined ? undefined : entries.find((p) => p.key === problem.key);
          const node = entry ? (problem.atValue ? entry.value : entry.keyNode) : d.keyNode;
          const code = problem.schema ? 'manifest.schema' : 'manifest.value';
          this.errors.push(new LxplanError(code, `${problem.message} (device "${d.key}" of ${this.owner})`, { location: this.loc(node), ...(problem.hint ? { hint: problem.hint } : {}) }));
        }
        devices[d.key] = dev;
      }
    }

    if (diskLimit) this.foldRootDiskSize(diskLimit, devices);
    return { config, devices };
  }

  /**
   * limits.disk: LXD has no such instance key; the root disk size is the `size` of the disk
   * device mounted at /. It goes there, which needs that device in the same object.
   */
  private foldRootDiskSize(limit: { value: string; keyNode: Node }, devices: DeviceMap): void {
    const at = this.loc(limit.keyNode);
    const root = Object.entries(devices).find(([, d]) => d.type === 'disk' && d.path === '/');
    if (!root) {
      this.errors.push(new LxplanError('manifest.value', `limits.disk in ${this.owner} needs a root disk device (type: disk, path: /) in the same ${KIND_OF[this.segs[0] as 'instances']}`, {
        location: at,
        hint: 'LXD keeps the root disk size as "size" on that device: add devices: {root: {type: disk, path: /, pool: default}}, or set size: on the root device where it is defined',
      }));
      return;
    }
    const [devName, dev] = root;
    if ('size' in dev) {
      this.errors.push(new LxplanError('manifest.value', `the root disk size of ${this.owner} is given twice: limits.disk at ${formatLocation(at)} and size of device "${devName}" at ${formatLocation(this.keyAt[`devices.${devName}.size`])}`, {
        location: at,
        hint: 'keep one of them',
      }));
      return;
    }
    dev.size = limit.value;
    this.keyAt[`devices.${devName}.size`] = at;
  }
}
