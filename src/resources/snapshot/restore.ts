/**
 * What `lxapply --restore INSTANCE/SNAPSHOT` rolls back, read from the instance and its snapshot
 * as LXD has them, and how the preview reads (workflow/restore.ts does the restore).
 */
import type { ConfigMap, LxdInstance, LxdInstanceSnapshot } from '../../lxd/types.js';
import { managedConfig } from '../fields.js';

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

export function configDifferences(now: ConfigMap, then: ConfigMap): ConfigDifference[] {
  const a = managedConfig(now);
  const b = managedConfig(then);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((key) => a[key] !== b[key])
    .map((key) => ({ key, ...(a[key] !== undefined ? { now: a[key] } : {}), ...(b[key] !== undefined ? { then: b[key] } : {}) }));
}

/** The preview of restoring `instance` (as LXD has it now) to its snapshot `snapshot` (`then`). */
export function restorePreview(instance: string, snapshot: string, now: LxdInstance, then: LxdInstanceSnapshot): RestorePreview {
  const profilesDiffer = JSON.stringify(now.profiles) !== JSON.stringify(then.profiles ?? []);
  return {
    instance,
    snapshot,
    createdAt: then.created_at,
    status: now.status,
    config: configDifferences(now.config, then.config ?? {}),
    ...(profilesDiffer ? { profiles: { now: now.profiles, then: then.profiles ?? [] } } : {}),
  };
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
    lines.push('', "The config is the same as the snapshot's: only the files go back.");
  }
  lines.push('', 'The manifests are not changed: the next plan shows any difference from them.');
  return `${lines.join('\n')}\n`;
}
