/** The desired profile: what the manifests ask for, after normalisation. */
import type { ConfigMap, DeviceMap, LxdProfile } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

export interface DesiredProfile extends DesiredBase {
  kind: 'profile';
  description: string;
  /** Full config, `limits:` already folded in as `limits.*` keys. */
  config: ConfigMap;
  devices: DeviceMap;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    profiles: Record<string, LxdProfile>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    profile: DesiredProfile;
  }
  interface Manifest {
    profiles: Record<string, DesiredProfile>;
  }
}
