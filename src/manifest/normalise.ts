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
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { LxplanError, type SourceLocation } from '../errors.js';
import type { ConfigMap, Device, DeviceMap } from '../lxd/types.js';
import { LIMITS, limitApplies, limitHint, validateConfigValue, validateLimit } from '../resources/limits.js';
import { validateDeviceValue } from '../resources/devices.js';
import { projectKeyHint, projectKeyProblem } from '../resources/project-keys.js';
import {
  splitVolumeName, type DesiredImage, type DesiredInstance, type DesiredNetwork, type DesiredProfile, type DesiredStoragePool,
  type DesiredStorageVolume, type DesiredProject, type InstanceState, type NetworkType, type StorageDriver,
} from '../resources/types.js';
import { parseByteSizeBig } from '../resources/units.js';
import { describe, isSection, KIND_OF } from './context.js';
import { deref, formatLocation, keyText, locate, type SourceFile } from './parse.js';

export interface FileObjects {
  images: DesiredImage[];
  profiles: DesiredProfile[];
  instances: DesiredInstance[];
  networks: DesiredNetwork[];
  storagePools: DesiredStoragePool[];
  storageVolumes: DesiredStorageVolume[];
  projects: DesiredProject[];
  /** The top-level `project:` key: the LXD project this file's objects live in. */
  project?: { name: string; at: SourceLocation };
  errors: LxplanError[];
}

/**
 * A scalar as the string LXD will store: strings as parsed (quotes and escapes resolved),
 * numbers and booleans as their source text ("0.50" stays "0.50", not "0.5").
 * Undefined for anything that is not a non-null scalar.
 */
export function scalarText(node: Node | null): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return node.source ?? String(v);
  return undefined;
}

/** The pairs of a mapping, each key once (a repeated key is reported by the parser). */
function pairs(file: SourceFile, node: Node | null): Array<{ key: string; keyNode: Node; value: Node | null }> {
  if (!isMap(node)) return [];
  const seen = new Set<string>();
  const out: Array<{ key: string; keyNode: Node; value: Node | null }> = [];
  for (const p of (node as YAMLMap<unknown, unknown>).items as Pair<unknown, unknown>[]) {
    const key = keyText(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, keyNode: p.key as Node, value: deref(file, p.value) });
  }
  return out;
}

export function normaliseFile(file: SourceFile): FileObjects {
  const out: FileObjects = { images: [], profiles: [], instances: [], networks: [], storagePools: [], storageVolumes: [], projects: [], errors: [] };
  for (const section of pairs(file, deref(file, file.doc.contents))) {
    if (section.key === 'project') {
      const name = scalarText(section.value);
      if (name !== undefined && isScalar(section.value) && typeof section.value.value === 'string') out.project = { name, at: locate(file, section.value) };
      continue;
    }
    if (!isSection(section.key)) continue;
    for (const obj of pairs(file, section.value)) {
      if (!isMap(obj.value)) continue;
      const b = new ObjectBuilder(file, [section.key, obj.key], obj.value, out.errors);
      const at = locate(file, obj.keyNode);
      switch (section.key) {
        case 'images': out.images.push(b.image(obj.key, at)); break;
        case 'profiles': out.profiles.push(b.profile(obj.key, at)); break;
        case 'instances': out.instances.push(b.instance(obj.key, at)); break;
        case 'networks': out.networks.push(b.network(obj.key, at)); break;
        case 'storage_pools': out.storagePools.push(b.storagePool(obj.key, at)); break;
        case 'storage_volumes': out.storageVolumes.push(b.storageVolume(obj.key, at)); break;
        case 'projects': out.projects.push(b.project(obj.key, at)); break;
      }
    }
  }
  return out;
}

/** Builds one desired object; collects keyAt and value errors as it goes. */
class ObjectBuilder {
  readonly keyAt: Record<string, SourceLocation> = {};
  private readonly fields: Map<string, { keyNode: Node; value: Node | null }>;

  constructor(private readonly file: SourceFile, private readonly segs: string[], body: Node, private readonly errors: LxplanError[]) {
    this.fields = new Map(pairs(file, body).map((p) => [p.key, p]));
  }

  private get owner(): string {
    return describe(this.segs);
  }

  private loc(node: Node | null | undefined): SourceLocation {
    return locate(this.file, node);
  }

  private valueError(message: string, node: Node | null, hint?: string): void {
    this.errors.push(new LxplanError('manifest.value', message, { location: this.loc(node), hint }));
  }

  /** A top-level field's text, recording where its key is. */
  private text(key: string): string | undefined {
    const f = this.fields.get(key);
    if (!f) return undefined;
    this.keyAt[key] = this.loc(f.keyNode);
    return scalarText(f.value);
  }

  image(name: string, at: SourceLocation): DesiredImage {
    const dir = path.dirname(this.file.abs);
    const source = { metadata: '', rootfs: '' };
    const src = this.fields.get('source');
    if (src) {
      this.keyAt.source = this.loc(src.keyNode);
      for (const p of pairs(this.file, src.value)) {
        if (p.key !== 'metadata' && p.key !== 'rootfs') continue;
        const v = scalarText(p.value);
        if (v === undefined || !isScalar(p.value) || typeof p.value.value !== 'string') continue; // the schema reports it
        source[p.key] = path.resolve(dir, v);
        this.keyAt[`source.${p.key}`] = this.loc(p.keyNode);
      }
    }
    const pub = this.fields.get('public');
    if (pub) this.keyAt.public = this.loc(pub.keyNode);
    const isPublic = isScalar(pub?.value) && pub!.value.value === true;
    return { kind: 'image', name, at, keyAt: this.keyAt, source, public: isPublic };
  }

  profile(name: string, at: SourceLocation): DesiredProfile {
    const description = this.text('description') ?? '';
    const { config, devices } = this.configAndDevices(undefined);
    return { kind: 'profile', name, at, keyAt: this.keyAt, description, config, devices, ...this.sensitive() };
  }

  /** `sensitive: [key, ...]`: config keys whose values are secrets. */
  private sensitive(): { sensitive?: string[] } {
    const f = this.fields.get('sensitive');
    if (!f || !isSeq(f.value)) return {};
    this.keyAt.sensitive = this.loc(f.keyNode);
    const keys = f.value.items.map((item) => scalarText(deref(this.file, item))).filter((k): k is string => k !== undefined);
    return keys.length > 0 ? { sensitive: keys } : {};
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
    return {
      kind: 'instance', name, at, keyAt: this.keyAt, image, profiles, description, config, devices, state, type,
      protect, restart, ...(renamedFrom ? { renamedFrom } : {}), ...this.sensitive(), ...(snapshots.length > 0 ? { snapshots } : {}),
    };
  }

  network(name: string, at: SourceLocation): DesiredNetwork {
    const type = (this.text('type') ?? 'bridge') as NetworkType;
    const description = this.text('description') ?? '';
    return { kind: 'network', name, at, keyAt: this.keyAt, type, description, config: this.plainConfig() };
  }

  storagePool(name: string, at: SourceLocation): DesiredStoragePool {
    const driver = (this.text('driver') ?? '') as StorageDriver;
    const description = this.text('description') ?? '';
    return { kind: 'storage_pool', name, at, keyAt: this.keyAt, driver, description, config: this.plainConfig() };
  }

  /** A project: description and config, each config value checked against LXD's project keys (project-keys.ts). */
  project(name: string, at: SourceLocation): DesiredProject {
    const description = this.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = this.plainConfig(nodes);
    for (const [k, v] of Object.entries(config)) {
      const problem = projectKeyProblem(k, v);
      if (problem) this.errors.push(new LxplanError('manifest.value', `${problem} (${this.owner})`, { location: this.loc(nodes.get(k) ?? null), hint: projectKeyHint(k) }));
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
    return { kind: 'storage_volume', name, at, keyAt: this.keyAt, pool, volume, contentType, description, config };
  }

  /** config: as it is, every value a string (networks, pools and volumes: LXD checks their keys); `nodes` gets each value's node. */
  private plainConfig(nodes?: Map<string, Node | null>): ConfigMap {
    const config: ConfigMap = {};
    const cfg = this.fields.get('config');
    if (!cfg) return config;
    this.keyAt.config = this.loc(cfg.keyNode);
    for (const p of pairs(this.file, cfg.value)) {
      const v = scalarText(p.value);
      if (v === undefined) continue;
      config[p.key] = v;
      nodes?.set(p.key, p.value);
      this.keyAt[`config.${p.key}`] = this.loc(p.keyNode);
    }
    return config;
  }

  /** config:, limits: (folded in) and devices:, with their value checks. */
  private configAndDevices(type: 'container' | 'virtual-machine' | undefined): { config: ConfigMap; devices: DeviceMap } {
    const config: ConfigMap = {};
    const cfg = this.fields.get('config');
    if (cfg) {
      this.keyAt.config = this.loc(cfg.keyNode);
      for (const p of pairs(this.file, cfg.value)) {
        const v = scalarText(p.value);
        if (v === undefined) continue;
        config[p.key] = v;
        this.keyAt[`config.${p.key}`] = this.loc(p.keyNode);
        const problem = validateConfigValue(p.key, v);
        if (problem) this.valueError(problem, p.value, p.key.startsWith('limits.') ? limitHint(p.key.slice(7), v) : undefined);
      }
    }

    let diskLimit: { value: string; keyNode: Node } | undefined;
    const lim = this.fields.get('limits');
    if (lim) {
      this.keyAt.limits = this.loc(lim.keyNode);
      for (const p of pairs(this.file, lim.value)) {
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
      for (const d of pairs(this.file, dv.value)) {
        if (!isMap(d.value)) continue;
        const dev: Device = {};
        this.keyAt[`devices.${d.key}`] = this.loc(d.keyNode);
        const entries = pairs(this.file, d.value);
        const type = scalarText(entries.find((p) => p.key === 'type')?.value ?? null);
        for (const p of entries) {
          const v = scalarText(p.value);
          if (v === undefined) continue;
          dev[p.key] = v;
          this.keyAt[`devices.${d.key}.${p.key}`] = this.loc(p.keyNode);
          const problem = validateDeviceValue(type, p.key, v);
          if (problem) this.valueError(`${problem} (device "${d.key}" of ${this.owner})`, p.value);
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
