/** The desired instance: what the manifests ask for, after normalisation. */
import type { ConfigMap, DeviceMap, LxdInstance } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';
import type { LiveCluster } from './cluster.js';
import type { DesiredExec } from './execs.js';
import type { WaitCondition } from './wait.js';

export type InstanceState = 'running' | 'stopped' | 'frozen';

export interface DesiredInstance extends DesiredBase {
  kind: 'instance';
  /** Image alias (a manifest image's name or an alias that exists in LXD) or a fingerprint. */
  image: string;
  /** In order; default ["default"]. */
  profiles: string[];
  description: string;
  /** Full config, `limits:` already folded in as `limits.*` keys. */
  config: ConfigMap;
  devices: DeviceMap;
  state: InstanceState;
  type: 'container' | 'virtual-machine';
  /** `protect: true`: security.protection.delete is set, and no plan may destroy the instance. */
  protect: boolean;
  /** What lxapply does when a change needs a restart: `manual` leaves it pending, `auto` restarts. */
  restart: 'manual' | 'auto';
  /** Named snapshots to take once and keep (`snapshots:`); the loader turns them into `Manifest.snapshots`. */
  snapshots?: string[];
  /** `source:`: made as a copy of another instance or of one of its snapshots, instead of from an image (`image` is then ""). */
  copyOf?: CopySource;
  /** `files:`: files pushed into the instance, by absolute path. */
  files?: Record<string, DesiredFile>;
  /** `ephemeral: true`: LXD deletes the instance when it stops. Absent when not written (false). */
  ephemeral?: boolean;
  /** `architecture:` (creation-time; compared only when declared). */
  architecture?: string;
  /** `target:` on a cluster: the member (`m1`) or the group (`@fast`) the instance is placed on; absent: where LXD puts it. */
  target?: string;
  /** `execs:`: commands run in the instance after it is created or changed (execs.ts), in the manifest's order. */
  execs?: DesiredExec[];
  /** `wait_for:`: what must be true before its execs, and what depends on it, go on (wait.ts). */
  waitFor?: WaitCondition[];
}

/** A file to push into an instance (instance-files.ts). */
export interface DesiredFile {
  /** The bytes, base64 (so plans and saved plans stay JSON); read from `source:` at load time. */
  content: string;
  /** "sha256:<hex>" of the bytes. */
  sha256: string;
  /** Four octal digits, "0644" by default. */
  mode: string;
  uid: number;
  gid: number;
  /** The file `source:` it was read from (absolute), when not given inline. */
  source?: string;
  /** A secret: plans show "(sensitive)", the state keeps a hash. */
  sensitive?: boolean;
}

/** An instance to copy (`source: {instance, snapshot}`); the snapshot is optional. */
export interface CopySource {
  instance: string;
  snapshot?: string;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    instances: Record<string, LxdInstance>;
    /** The cluster the daemon belongs to (read with the instances: cluster.ts); absent: not clustered. */
    cluster?: LiveCluster;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    instance: DesiredInstance;
  }
  interface Manifest {
    instances: Record<string, DesiredInstance>;
  }
}
