/** The desired snapshot: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdInstanceSnapshot } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/**
 * A named instance snapshot, taken once and kept: its name is "INSTANCE/SNAPSHOT" (the address
 * "snapshot.web-1/before-upgrade"). Its content is fixed when taken, so it has no fields to
 * change: it is created, kept, or deleted.
 */
export interface DesiredSnapshot extends DesiredBase {
  kind: 'snapshot';
  instance: string;
  /** The snapshot's own name on its instance. */
  snapshot: string;
  /** Always empty: a snapshot's config is its instance's at the time it was taken. (Present so code redacting desired objects' config handles every kind but images alike.) */
  config: ConfigMap;
}

/** "web-1/clean" -> { instance: "web-1", snapshot: "clean" }. */
export function splitSnapshotName(name: string): { instance: string; snapshot: string } {
  const i = name.indexOf('/');
  return { instance: name.slice(0, i), snapshot: name.slice(i + 1) };
}

declare module '../spec.js' {
  interface LiveSnapshot {
    /** Snapshots of the instances that declare some or have some in the state, keyed "INSTANCE/SNAPSHOT" (absent: none read). */
    snapshots?: Record<string, LxdInstanceSnapshot>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    snapshot: DesiredSnapshot;
  }
  interface Manifest {
    /** Keyed by "INSTANCE/SNAPSHOT", from each instance's `snapshots:` (absent: none). */
    snapshots?: Record<string, DesiredSnapshot>;
  }
}
