/** The desired project: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdProject } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/**
 * An LXD project (`projects:`): a global object, not inside a project. Every config key is
 * written in place, but LXD changes features.* only while the project is empty (see project.ts).
 */
export interface DesiredProject extends DesiredBase {
  kind: 'project';
  description: string;
  config: ConfigMap;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    /** Every LXD project (global; absent: none read). */
    projects?: Record<string, LxdProject>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    project: DesiredProject;
  }
  interface Manifest {
    /** Projects declared under `projects:` (absent: none). */
    projects?: Record<string, DesiredProject>;
  }
}
