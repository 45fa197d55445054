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
import type { LxdInstance } from '../lxd/types.js';
import { loadManifests } from '../manifest/index.js';
import { recordFields, sensitivePaths } from '../planner/fields.js';
import { makeContext } from '../planner/index.js';
import { specs } from '../resources/index.js';
import { liveProjectOf } from '../resources/object-project.js';
import { registry } from '../resources/registry.js';
import { PENDING_RESTART, type Fields, type ResourceSpec } from '../resources/spec.js';
import { restorePreview, type RestorePreview } from '../resources/snapshot/restore.js';
import { addressOf, splitSnapshotName, type Manifest } from '../resources/types.js';
import { withEntry, type State } from '../state/model.js';
import type { StateManager } from '../state/manager.js';
import { connectScoped, type ConnectOptions } from './session.js';
import { oneDaemonOf } from './daemon-scope.js';

export interface RestoreOptions extends ConnectOptions {
  /** The manifest directory or file (for the state file next to it). */
  path: string;
  /** "INSTANCE/SNAPSHOT". */
  target: string;
}

export { configDifferences, describeRestore, type ConfigDifference, type RestorePreview } from '../resources/snapshot/restore.js';

/** The spec of the kind a snapshot restores (ResourceSpec.snapshotOf: an instance). */
function ownerSpec(): ResourceSpec {
  const e = registry.find((x) => x.spec.snapshotOf);
  if (!e) throw new Error('no kind takes snapshots (ResourceSpec.snapshotOf)');
  return specs[e.spec.snapshotOf!];
}

export interface RestoreSession {
  preview: RestorePreview;
  /** Restores the snapshot; done on return. */
  restore(): Promise<void>;
  close: () => Promise<void>;
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
      throw new LxplanError('lxd.api', `instance "${instance}" has no snapshot "${snapshot}" in LXD`, {
        hint: "list what lxplan manages with lxplan; snapshots are declared under the instance's snapshots:",
      });
    }
    throw e;
  });
  return { before: inst.value, preview: restorePreview(instance, snapshot, inst.value, snap.value) };
}

/**
 * The instance's state entry after the restore: each field the restore changed (config, devices,
 * profiles, as liveFields sees them) recorded as LXD has it now; the rest as it was, so drift from
 * before the restore still shows. Secrets stay hashed.
 */
export function recordRestore(state: State, manifest: Manifest, instance: string, before: LxdInstance, after: LxdInstance): State {
  const spec = ownerSpec();
  const address = addressOf(spec.kind, instance);
  const entry = state.resources[address];
  if (!entry) return state;
  const d = spec.desired(manifest)[instance];
  const ctx = makeContext({ manifest, state, live: { instances: {}, profiles: {}, images: [], networks: {}, storagePools: {}, storageVolumes: {} } });
  const was = spec.liveFields(before, ctx, d);
  const now = spec.liveFields(after, ctx, d);
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

async function restoreAndRecord(
  client: LxdClient,
  state: StateManager,
  manifest: Manifest,
  instance: string,
  snapshot: string,
  before: LxdInstance,
): Promise<void> {
  await client.restoreSnapshot(instance, snapshot, false);
  const { value: after } = await client.getInstance(instance);
  await state.update((s) => recordRestore(s, manifest, instance, before, after));
}

/** Locks the state, checks that lxplan manages the instance, and reads what the restore rolls back. */
export async function openRestore(opts: RestoreOptions): Promise<RestoreSession> {
  const { instance, snapshot } = parseRestoreTarget(opts.target);
  const manifest = await loadManifests(opts.path, opts.remote ? { remote: opts.remote } : {});
  oneDaemonOf(manifest, 'lxapply --restore');
  const { state, client: scope, close, statePath } = await connectScoped(opts.path, manifest, 'restore', opts);
  try {
    if (!state.state.resources[addressOf(ownerSpec().kind, instance)]) {
      throw new LxplanError(
        'plan.guard',
        `instance "${instance}" is not managed by lxplan (not in ${statePath}); lxplan restores only the instances it manages`,
        {
          hint: 'check the instance name and the manifest path (the state file is found next to the manifests, or given with --state)',
        },
      );
    }
    // Where lxplan made it (project: on the instance), else the scope.
    const where = liveProjectOf(ownerSpec().kind, instance, manifest, state.state);
    const client = where === scope.project ? scope : scope.withProject(where);
    const { preview, before } = await readPreview(client, instance, snapshot);
    return { preview, restore: () => restoreAndRecord(client, state, manifest, instance, snapshot, before), close };
  } catch (e) {
    await close();
    throw e;
  }
}
