/**
 * `lxapply --restore INSTANCE/SNAPSHOT`: rolls an instance lxplan manages back to one of its
 * snapshots (PUT /1.0/instances/{name} {restore}). Destructive by nature: everything written to
 * the instance since the snapshot (files and config) is lost. The preview says what goes back;
 * the command asks for confirmation, or takes --auto-approve.
 *
 * The manifests are not changed: if the snapshot's config differs from them, the next plan
 * shows the update that brings the instance back to the manifests. What the restore changed is
 * recorded in the instance's state entry (lxplan did it: not drift), and a running instance,
 * restarted by LXD to restore it, has no restart pending any more.
 *
 * The project is found as by every command (connectScoped: --project / LXPLAN_PROJECT, the
 * manifests' project:, default), and the instance is looked for where lxplan made it.
 */
import { LxplanError } from '../errors.js';
import { isNotFound, type LxdClient } from '../lxd/client.js';
import type { ConfigMap, LxdInstance } from '../lxd/types.js';
import { loadManifests } from '../manifest/index.js';
import { recordFields, sensitivePaths } from '../planner/fields.js';
import { makeContext } from '../planner/index.js';
import { PENDING_RESTART } from '../resources/spec.js';
import { managedConfig } from '../resources/fields.js';
import { instanceSpec } from '../resources/instance/spec.js';
import { liveProjectOf } from '../resources/object-project.js';
import type { Fields } from '../resources/spec.js';
import { addressOf, splitSnapshotName, type Manifest } from '../resources/types.js';
import { withEntry, type State } from '../state/model.js';
import type { StateManager } from '../state/manager.js';
import { connectScoped, type ConnectOptions } from './session.js';

export interface RestoreOptions extends ConnectOptions {
  /** The manifest directory or file (for the state file next to it). */
  path: string;
  /** "INSTANCE/SNAPSHOT". */
  target: string;
}

/** One config key that differs between the instance now and the snapshot (undefined: not set). */
export interface ConfigDifference {
  key: string;
  now?: string;
  then?: string;
}

/** What a restore rolls back. */
export interface RestorePreview {
  instance: string;
  snapshot: string;
  /** When LXD took the snapshot (ISO 8601, as LXD reports it). */
  createdAt: string;
  /** The instance's status now ("Running", "Stopped" ...). */
  status: string;
  /** Config keys (volatile.* left out) whose values go back. */
  config: ConfigDifference[];
  /** Profiles, when they differ. */
  profiles?: { now: string[]; then: string[] };
}

export interface RestoreSession {
  preview: RestorePreview;
  /** Restores the snapshot; done on return. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export function configDifferences(now: ConfigMap, then: ConfigMap): ConfigDifference[] {
  const a = managedConfig(now);
  const b = managedConfig(then);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    .filter((key) => a[key] !== b[key])
    .map((key) => ({ key, ...(a[key] !== undefined ? { now: a[key] } : {}), ...(b[key] !== undefined ? { then: b[key] } : {}) }));
}

/** "web-1/clean" checked: both parts present. */
export function parseRestoreTarget(target: string): { instance: string; snapshot: string } {
  const { instance, snapshot } = splitSnapshotName(target);
  if (!target.includes('/') || instance === '' || snapshot === '' || snapshot.includes('/')) {
    throw new LxplanError('usage', `--restore takes INSTANCE/SNAPSHOT, got "${target}"`, { hint: 'for example: lxapply --restore web-1/before-upgrade' });
  }
  return { instance, snapshot };
}

async function readPreview(client: LxdClient, instance: string, snapshot: string): Promise<{ preview: RestorePreview; before: LxdInstance }> {
  const [inst, snap] = await Promise.all([client.getInstance(instance), client.getSnapshot(instance, snapshot)]).catch((e) => {
    if (isNotFound(e)) {
      throw new LxplanError('lxd.api', `instance "${instance}" has no snapshot "${snapshot}" in LXD`, { hint: 'list what lxplan manages with lxplan; snapshots are declared under the instance\'s snapshots:' });
    }
    throw e;
  });
  const now = inst.value;
  const then = snap.value;
  const profilesDiffer = JSON.stringify(now.profiles) !== JSON.stringify(then.profiles ?? []);
  return {
    before: now,
    preview: {
      instance, snapshot, createdAt: then.created_at, status: now.status,
      config: configDifferences(now.config, then.config ?? {}),
      ...(profilesDiffer ? { profiles: { now: now.profiles, then: then.profiles ?? [] } } : {}),
    },
  };
}

/**
 * The instance's state entry after the restore: each field the restore changed (config, devices,
 * profiles, as liveFields sees them) recorded as LXD has it now; the rest as it was, so drift from
 * before the restore still shows. Secrets stay hashed.
 */
export function recordRestore(state: State, manifest: Manifest, instance: string, before: LxdInstance, after: LxdInstance): State {
  const address = addressOf('instance', instance);
  const entry = state.resources[address];
  if (!entry) return state;
  const d = manifest.instances[instance];
  const ctx = makeContext({ manifest, state, live: { instances: {}, profiles: {}, images: [], networks: {}, storagePools: {}, storageVolumes: {} } });
  const was = instanceSpec.liveFields(before, ctx, d);
  const now = instanceSpec.liveFields(after, ctx, d);
  const fields = { ...(entry.fields ?? {}) };
  if (entry.fields) {
    const secret = new Set([...sensitivePaths(d), ...Object.keys(fields).filter((p) => fields[p].startsWith('sha256:'))]);
    const changed: Fields = {};
    for (const path of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (was[path]?.display === now[path]?.display) continue;
      if (now[path]) changed[path] = now[path];
      else delete fields[path];
    }
    Object.assign(fields, recordFields(changed, secret));
  }
  const attributes = { ...(entry.attributes ?? {}) };
  if (before.status === 'Running') delete attributes[PENDING_RESTART];
  const { attributes: _attributes, fields: _fields, ...rest } = entry;
  return withEntry(state, address, {
    ...rest,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(entry.fields ? { fields: Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
  });
}

async function restoreAndRecord(client: LxdClient, state: StateManager, manifest: Manifest, instance: string, snapshot: string, before: LxdInstance): Promise<void> {
  await client.restoreSnapshot(instance, snapshot, false);
  const { value: after } = await client.getInstance(instance);
  await state.update((s) => recordRestore(s, manifest, instance, before, after));
}

/** Locks the state, checks that lxplan manages the instance, and reads what the restore rolls back. */
export async function openRestore(opts: RestoreOptions): Promise<RestoreSession> {
  const { instance, snapshot } = parseRestoreTarget(opts.target);
  const manifest = await loadManifests(opts.path);
  const { state, client: scope, close, statePath } = await connectScoped(opts.path, manifest, 'restore', opts);
  try {
    if (!state.state.resources[addressOf('instance', instance)]) {
      throw new LxplanError('plan.guard', `instance "${instance}" is not managed by lxplan (not in ${statePath}); lxplan restores only the instances it manages`, {
        hint: 'check the instance name and the manifest path (the state file is found next to the manifests, or given with --state)',
      });
    }
    // Where lxplan made it (project: on the instance), else the scope.
    const where = liveProjectOf('instance', instance, manifest, state.state);
    const client = where === scope.project ? scope : scope.withProject(where);
    const { preview, before } = await readPreview(client, instance, snapshot);
    return { preview, restore: () => restoreAndRecord(client, state, manifest, instance, snapshot, before), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The preview as text for people. */
export function describeRestore(p: RestorePreview): string {
  const lines = [
    `lxapply will restore instance ${p.instance} to its snapshot ${p.snapshot}, taken ${p.createdAt}.`,
    `Everything written to ${p.instance} since then (its files and its config) is lost.${p.status === 'Running' ? ' LXD stops and starts it again to restore it.' : ''}`,
  ];
  if (p.config.length > 0 || p.profiles) {
    lines.push('', 'Config that goes back:');
    if (p.profiles) lines.push(`  ~ profiles: [${p.profiles.now.join(', ')}] -> [${p.profiles.then.join(', ')}]`);
    for (const d of p.config) lines.push(`  ~ config.${d.key}: ${d.now ?? '(not set)'} -> ${d.then ?? '(not set)'}`);
  } else {
    lines.push('', 'The config is the same as the snapshot\'s: only the files go back.');
  }
  lines.push('', 'The manifests are not changed: the next plan shows any difference from them.');
  return `${lines.join('\n')}\n`;
}
