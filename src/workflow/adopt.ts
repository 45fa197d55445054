/**
 * Adoption of what already runs in LXD: `lxplan export` writes manifests for live objects;
 * `lxplan import KIND NAME` records an existing object in the state without recreating it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { LxplanError } from '../errors.js';
import type { LxdInstance, LxdNetwork, LxdProfile, LxdStoragePool, LxdStorageVolume } from '../lxd/types.js';
import { makeContext } from '../planner/index.js';
import { recordFields, sensitivePaths } from '../planner/fields.js';
import { registry, specs } from '../resources/index.js';
import { extraAliasOwner } from '../resources/image/spec.js';
import { isServerComputedKey } from '../resources/instance/keys.js';
import { LIMITS, NOT_CONFIG_LIMITS } from '../resources/limits.js';
import { readLive } from '../resources/live.js';
import { readLiveIn } from '../resources/live-project.js';
import { projectAttributes } from '../resources/object-project.js';
import { instancesWithSnapshots } from '../resources/snapshot/spec.js';
import type { LiveSnapshot } from '../resources/spec.js';
import { addressOf, type DesiredObject, type Kind } from '../resources/types.js';
import { parseBool } from '../resources/units.js';
import { withEntry } from '../state/model.js';
import { resolveRemoteFingerprints } from '../resources/image/source.js';
import { connectScoped, loadChecked, type ConnectOptions } from './session.js';

/** config split into the typed `limits:` view and the rest, as a user would write it. */
function splitConfig(config: Record<string, string>): { limits?: Record<string, string>; config?: Record<string, string> } {
  const limits: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(config).sort()) {
    if (isServerComputedKey(k)) continue;
    const lk = k.startsWith('limits.') ? k.slice(7) : undefined;
    if (lk && LIMITS[lk] && !NOT_CONFIG_LIMITS.has(lk)) limits[lk] = v;
    else rest[k] = v;
  }
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(rest).length ? { config: rest } : {}) };
}

function imageRef(inst: LxdInstance, live: LiveSnapshot): string {
  const base = inst.config['volatile.base_image'] ?? '';
  // The image's own alias, not an extra alias lxplan made for it (that one is part of the image).
  const image = live.images.find((i) => i.fingerprint === base);
  return image?.aliases?.find((a) => extraAliasOwner(a, image) === undefined)?.name ?? base;
}

/** The manifest key an instance's config key is written as, when it has one (`protect: true`). */
const PROTECT_KEY = 'security.protection.delete';

function instanceManifest(inst: LxdInstance, live: LiveSnapshot): Record<string, unknown> {
  // `protect: true` is how a manifest says security.protection.delete=true (normalise.ts).
  const protect = parseBool(inst.config[PROTECT_KEY] ?? '') === true;
  const config = protect ? Object.fromEntries(Object.entries(inst.config).filter(([k]) => k !== PROTECT_KEY)) : inst.config;
  return {
    image: imageRef(inst, live),
    ...(inst.type !== 'container' ? { type: inst.type } : {}),
    ...(inst.description ? { description: inst.description } : {}),
    ...(inst.ephemeral ? { ephemeral: true } : {}),
    ...(protect ? { protect: true } : {}),
    profiles: inst.profiles,
    ...splitConfig(config),
    ...(Object.keys(inst.devices).length ? { devices: inst.devices } : {}),
    state: inst.status.toLowerCase() === 'stopped' ? 'stopped' : inst.status.toLowerCase() === 'frozen' ? 'frozen' : 'running',
  };
}

function profileManifest(p: LxdProfile): Record<string, unknown> {
  return {
    ...(p.description ? { description: p.description } : {}),
    ...splitConfig(p.config ?? {}),
    ...(Object.keys(p.devices ?? {}).length ? { devices: p.devices } : {}),
  };
}

/** config without the keys LXD keeps for itself (volatile.*). */
function ownConfig(config: Record<string, string> | undefined): { config?: Record<string, string> } {
  const own = Object.fromEntries(Object.entries(config ?? {}).filter(([k]) => !k.startsWith('volatile.')).sort(([a], [b]) => (a < b ? -1 : 1)));
  return Object.keys(own).length ? { config: own } : {};
}

function networkManifest(n: LxdNetwork): Record<string, unknown> {
  return { ...(n.type !== 'bridge' ? { type: n.type } : {}), ...(n.description ? { description: n.description } : {}), ...ownConfig(n.config) };
}

function poolManifest(p: LxdStoragePool): Record<string, unknown> {
  return { driver: p.driver, ...(p.description ? { description: p.description } : {}), ...ownConfig(p.config) };
}

function volumeManifest(v: LxdStorageVolume): Record<string, unknown> {
  return { ...(v.content_type === 'block' ? { content_type: 'block' } : {}), ...(v.description ? { description: v.description } : {}), ...ownConfig(v.config) };
}

/** The kinds written by their own export.ts (the registry entry's export:), in the registry's order. */
const EXPORTED = registry.filter((e): e is typeof e & { export: NonNullable<typeof e.export> } => e.export !== undefined);

/** The kinds export writes. */
export const EXPORT_KINDS: readonly Kind[] = [...EXPORTED.map((e) => e.kind), 'storage_pool', 'network', 'storage_volume', 'profile', 'instance'];

function sorted<T>(m: Record<string, T>): Array<[string, T]> {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1));
}

/**
 * The manifest text for the live objects named (every object of the kinds export knows when
 * none). An instance's snapshots (`snapshots` of the live snapshot) become its `snapshots:` list.
 */
export function exportManifest(live: LiveSnapshot, only: { kind: Kind; name: string }[] = [], kind?: Kind, project = 'default'): string {
  const wanted = (k: Kind, name: string) => (kind === undefined || kind === k) && (only.length === 0 || only.some((o) => o.kind === k && o.name === name));
  const section = <T>(k: Kind, objects: Record<string, T>, toManifest: (o: T) => Record<string, unknown>) =>
    Object.fromEntries(sorted(objects).filter(([name]) => wanted(k, name)).map(([name, o]) => [name, toManifest(o)]));
  const snapshotsOf = (inst: string) => Object.values(live.snapshots ?? {}).filter((s) => s.instance === inst).map((s) => s.name).sort();
  const doc: Record<string, Record<string, unknown> | string> = {
    // The project it was read from: the manifests then plan there, as every command finds it (project-scope.ts).
    ...(project !== 'default' ? { project } : {}),
    ...Object.fromEntries(EXPORTED.map((e) => [e.export.section, section(e.kind, e.spec.live(live) as Record<string, unknown>, (o) => e.export.toManifest(o, live))])),
    storage_pools: section('storage_pool', live.storagePools, poolManifest),
    networks: section('network', live.networks, networkManifest),
    storage_volumes: section('storage_volume', live.storageVolumes, volumeManifest),
    profiles: section('profile', live.profiles, profileManifest),
    instances: section('instance', live.instances, (i) => {
      const snaps = snapshotsOf(i.name);
      return { ...instanceManifest(i, live), ...(snaps.length ? { snapshots: snaps } : {}) };
    }),
  };
  for (const k of Object.keys(doc)) if (typeof doc[k] !== 'string' && Object.keys(doc[k]).length === 0) delete doc[k];
  return `# Written by lxplan export from what LXD has. Images are referenced by the alias (or fingerprint)\n# LXD has for them; declare them under images: to let lxplan manage them too.\n${stringify(doc, { lineWidth: 0 })}`;
}

export async function exportLive(opts: ConnectOptions & { only?: { kind: Kind; name: string }[]; kind?: Kind }): Promise<string> {
  const { LxdClient } = await import('../lxd/client.js');
  const client = new LxdClient({ project: opts.project, socketPath: opts.socket });
  try {
    // Snapshots: one request per exported instance (LXD 5.0's instance list has none).
    const exported = (names: string[]) => names.filter((n) => (opts.kind ?? 'instance') === 'instance' && (!opts.only?.length || opts.only.some((o) => o.kind === 'instance' && o.name === n)));
    const live = await readLive(client, exported);
    for (const o of opts.only ?? []) {
      const exists = (specs[o.kind].live(live) as Record<string, unknown>)[o.name];
      if (!exists) throw new LxplanError('usage', `${o.kind} "${o.name}" does not exist in LXD${opts.project ? ` (project ${opts.project})` : ''}`);
    }
    return exportManifest(live, opts.only, opts.kind, client.project);
  } finally {
    client.close();
  }
}

export async function writeExport(dir: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'lxplan.yaml');
  await writeFile(file, text, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    throw new LxplanError('usage', e.code === 'EEXIST' ? `${file} exists already; export into a new folder` : `cannot write ${file}: ${e.message}`);
  });
  return file;
}

/**
 * Records existing LXD objects in the state as managed, as they are: no drift, and an
 * instance's image taken from the image LXD recorded it was made from (volatile.base_image).
 * Each must be declared in the manifests: importing something the manifests do not declare
 * would plan its deletion.
 */
export async function importObjects(manifestPath: string, objects: { kind: Kind; name: string }[], opts: ConnectOptions): Promise<string[]> {
  const manifest = await loadChecked(manifestPath);
  await resolveRemoteFingerprints(manifest);
  const { state, client, close } = await connectScoped(manifestPath, manifest, 'import', opts);
  try {
    const live = await readLiveIn(client, manifest, instancesWithSnapshots(manifest, state.state), state.state);
    const ctx = makeContext({ manifest, live, state: state.state });
    let next = state.state;
    const done: string[] = [];
    const record = (kind: Kind, name: string, d: DesiredObject, l: unknown) => {
      const spec = specs[kind];
      const liveFields = spec.liveFields(l, { ...ctx, state: next }, d);
      // Where it lives (project: on the object): read there by readLiveIn, recorded there.
      const attributes = { ...spec.stateAttributes(d, ctx), ...projectAttributes(d, manifest) };
      // What LXD shows the instance was made from (a copy's source cannot be seen: it is taken as declared).
      if (kind === 'instance' && liveFields.image) attributes.image = liveFields.image.display;
      next = withEntry(next, addressOf(kind, name), {
        kind, name, since: new Date().toISOString(),
        ...(Object.keys(attributes).length ? { attributes } : {}),
        fields: recordFields(liveFields, sensitivePaths(d)),
      });
      done.push(addressOf(kind, name));
    };
    for (const { kind, name } of objects) {
      const spec = specs[kind];
      const address = addressOf(kind, name);
      const d = (spec.desired(manifest) as Record<string, DesiredObject>)[name];
      const l = (spec.live(live) as Record<string, unknown>)[name];
      if (!l) throw new LxplanError('usage', `cannot import ${kind} "${name}": it does not exist in LXD`);
      if (!d) {
        throw new LxplanError('usage', `cannot import ${kind} "${name}": the manifests do not declare it, so the next plan would delete it`, {
          hint: `declare it first; lxplan export --kind ${kind} --name ${name} prints a manifest for it`,
        });
      }
      if (address in next.resources) throw new LxplanError('usage', `${kind} "${name}" is managed by lxplan already`);
      record(kind, name, d, l);
    }
    // The built-ins the manifests declare (the default profile and pool, as export writes them)
    // are adopted with them, as LXD has them: otherwise every plan would say "lxplan starts
    // managing it" until an apply. (A difference from the manifest then shows as an update.)
    for (const kind of EXPORT_KINDS) {
      const spec = specs[kind];
      for (const [name, d] of Object.entries(spec.desired(manifest) as Record<string, DesiredObject>)) {
        const l = (spec.live(live) as Record<string, unknown>)[name];
        if (spec.builtin(name) && l !== undefined && !(addressOf(kind, name) in next.resources)) record(kind, name, d, l);
      }
    }
    await state.save(next);
    return done;
  } finally {
    await close();
  }
}
