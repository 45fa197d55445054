/** The desired network: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdNetwork } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/** Network types LXD 5.0 manages (rest-api.yaml NetworksPost `type`; doc/networks.md). */
export type NetworkType = 'bridge' | 'macvlan' | 'sriov' | 'ovn' | 'physical';

export interface DesiredNetwork extends DesiredBase {
  kind: 'network';
  /** Fixed at creation (NetworksPost only): changing it replaces the network. Default bridge. */
  type: NetworkType;
  description: string;
  config: ConfigMap;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    /** Managed networks only (host interfaces LXD merely reports are left out). */
    networks: Record<string, LxdNetwork>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    network: DesiredNetwork;
  }
  interface Manifest {
    networks: Record<string, DesiredNetwork>;
  }
}
