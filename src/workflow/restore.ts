/**
 * `lxapply --restore INSTANCE/SNAPSHOT`: rolls an instance lxplan manages back to one of its
 * snapshots (PUT /1.0/instances/{name} {restore}). Destructive by nature: everything written to
 * the instance since the snapshot (files and config) is lost. The preview says what goes back;
 * the command asks for confirmation, or takes --auto-approve.
 *
 * The manifests are not changed: if the snapshot's config differs from them, the next plan
 * shows the update that brings the instance back to the manifests.
 */
import { LxplanError } from '../errors.js';
import { isNotFound, type LxdClient } from '../lxd/client.js';
import type { ConfigMap } from '../lxd/types.js';
import { managedConfig } from '../resources/fields.js';
import { addressOf, splitSnapshotName } from '../resources/types.js';
import { connect, defaultStatePath, type ConnectOptions } from './session.js';

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

async function readPreview(client: LxdClient, instance: string, snapshot: string): Promise<RestorePreview> {
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
    instance, snapshot, createdAt: then.created_at, status: now.status,
    config: configDifferences(now.config, then.config ?? {}),
    ...(profilesDiffer ? { profiles: { now: now.profiles, then: then.profiles ?? [] } } : {}),
  };
}

/** Locks the state, checks that lxplan manages the instance, and reads what the restore rolls back. */
export async function openRestore(opts: RestoreOptions): Promise<RestoreSession> {
  const { instance, snapshot } = parseRestoreTarget(opts.target);
  const statePath = opts.statePath ?? (await defaultStatePath(opts.path));
  const { state, client, close } = await connect(statePath, 'restore', opts);
  try {
    if (!state.state.resources[addressOf('instance', instance)]) {
      throw new LxplanError('plan.guard', `instance "${instance}" is not managed by lxplan (not in ${statePath}); lxplan restores only the instances it manages`, {
        hint: 'check the instance name and the manifest path (the state file is found next to the manifests, or given with --state)',
      });
    }
    const preview = await readPreview(client, instance, snapshot);
    return { preview, restore: () => client.restoreSnapshot(instance, snapshot, false), close };
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
