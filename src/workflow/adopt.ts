/**
 * Adoption of what already runs in LXD: `lxplan export` writes manifests for live objects;
 * `lxplan import KIND NAME` records an existing object in the state without recreating it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { LxplanError } from '../errors.js';
import { makeContext } from '../planner/index.js';
import { recordFields, sensitivePaths } from '../planner/fields.js';
import { specs } from '../resources/index.js';
import { readLive } from '../resources/live.js';
import { readLiveIn } from '../resources/live-project.js';
import { projectAttributes } from '../resources/object-project.js';
import { registry } from '../resources/registry.js';
import { instancesWithSnapshots } from '../resources/snapshot/spec.js';
import type { LiveSnapshot } from '../resources/spec.js';
import { addressOf, type DesiredObject, type Kind } from '../resources/types.js';
import { withEntry } from '../state/model.js';
import { resolveRemoteFingerprints } from '../resources/image/source.js';
import { daemonWord } from '../lxd/server.js';
import { connectScoped, loadChecked, type ConnectOptions } from './session.js';
import { oneDaemonOf } from './daemon-scope.js';

/** The kinds export writes (each in its manifest section), in the registry's order. */
export const EXPORT_KINDS: readonly Kind[] = registry.filter((e) => e.export?.section).map((e) => e.kind);

/** The kinds export --import records: those export writes, and what is written inside them (snapshots). */
export const IMPORTED_KINDS: readonly Kind[] = registry.filter((e) => e.export).map((e) => e.kind);

/** `lxplan export --name N` without --kind: objects of this kind. */
export const EXPORT_BY_NAME: Kind = registry.find((e) => e.export?.byName)!.kind;

function sorted<T>(m: Record<string, T>): Array<[string, T]> {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1));
}

/**
 * The manifest text for the live objects named (every object of the kinds export knows when
 * none), each kind in its section as its export entry writes it (<kind>/export.ts).
 */
export function exportManifest(live: LiveSnapshot, only: { kind: Kind; name: string }[] = [], kind?: Kind, project = 'default'): string {
  const wanted = (k: Kind, name: string) => (kind === undefined || kind === k) && (only.length === 0 || only.some((o) => o.kind === k && o.name === name));
  const doc: Record<string, Record<string, unknown> | string> = {
    // The project it was read from: the manifests then plan there, as every command finds it (project-scope.ts).
    ...(project !== 'default' ? { project } : {}),
  };
  for (const { kind: k, spec, export: ex } of registry) {
    if (!ex?.section || !ex.entry) continue;
    doc[ex.section] = Object.fromEntries(
      sorted(spec.live(live))
        .filter(([name]) => wanted(k, name))
        .map(([name, o]) => [name, ex.entry!(o, live)]),
    );
  }
  for (const k of Object.keys(doc)) if (typeof doc[k] !== 'string' && Object.keys(doc[k]).length === 0) delete doc[k];
  const word = live.server ? daemonWord(live.server) : 'LXD';
  return `# Written by lxplan export from what ${word} has. Images are referenced by the alias (or fingerprint)\n# ${word} has for them; declare them under images: to let lxplan manage them too.\n${stringify(doc, { lineWidth: 0 })}`;
}

export async function exportLive(opts: ConnectOptions & { only?: { kind: Kind; name: string }[]; kind?: Kind }): Promise<string> {
  const { LxdClient } = await import('../lxd/client.js');
  const { transportFor } = await import('../lxd/connect.js');
  const client = new LxdClient({ project: opts.project, transport: await transportFor({ socket: opts.socket, remote: opts.remote }) });
  try {
    // What is written inside the exported objects (an instance's snapshots): read for those only, one request each (LXD 5.0's instance list has none).
    const owners = registry.flatMap((e) => (e.export && e.live.ownedBy ? [e.live.ownedBy.kind] : []));
    const exported = (names: string[]) =>
      names.filter((n) => owners.some((k) => (opts.kind ?? k) === k && (!opts.only?.length || opts.only.some((o) => o.kind === k && o.name === n))));
    const live = await readLive(client, exported);
    for (const o of opts.only ?? []) {
      const exists = specs[o.kind].live(live)[o.name];
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
  const manifest = await loadChecked(manifestPath, opts.remote);
  oneDaemonOf(manifest, 'lxplan import');
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
      const attributes: Record<string, string> = { ...spec.stateAttributes(d, ctx), ...projectAttributes(d, manifest) };
      Object.assign(attributes, registry.find((e) => e.kind === kind)!.export?.importAttributes?.(liveFields));
      next = withEntry(next, addressOf(kind, name), {
        kind,
        name,
        since: new Date().toISOString(),
        ...(Object.keys(attributes).length ? { attributes } : {}),
        fields: recordFields(liveFields, sensitivePaths(d)),
      });
      done.push(addressOf(kind, name));
    };
    for (const { kind, name } of objects) {
      const spec = specs[kind];
      const address = addressOf(kind, name);
      const d = spec.desired(manifest)[name];
      const l = spec.live(live)[name];
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
      for (const [name, d] of Object.entries(spec.desired(manifest))) {
        const l = spec.live(live)[name];
        if (spec.builtin(name) && l !== undefined && !(addressOf(kind, name) in next.resources)) record(kind, name, d, l);
      }
    }
    await state.save(next);
    return done;
  } finally {
    await close();
  }
}
