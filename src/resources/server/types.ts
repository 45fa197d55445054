/** The desired server: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdServer } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/**
 * The LXD server's own config (`server: {config: ...}`): one object, named "config" (the address
 * "server.config"). Only the keys declared here (and those lxplan set before: the state records
 * them) are lxplan's; every other server key is left alone.
 */
export interface DesiredServer extends DesiredBase {
  kind: 'server';
  name: 'config';
  config: ConfigMap;
  /** Keys lxplan set before (state) that the manifest no longer declares: unset by the apply. Filled in by the planner. */
  unset?: string[];
}

declare module '../spec.js' {
  interface LiveSnapshot {
    /** GET /1.0 (absent: not read, e.g. in planner fixtures). */
    server?: LxdServer;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    server: DesiredServer;
  }
  interface Manifest {
    /** `server: {config: ...}` (at most one over all files; absent: none). */
    server?: DesiredServer;
  }
}
