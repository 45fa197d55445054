/**
 * How snapshots are read from LXD: one request per instance asked for (LXD 5.0.2's instance list
 * has none: see spec.ts), once the instances are known; in their instance's project.
 */
import { isNotFound } from '../../lxd/client.js';
import type { LiveKind } from '../live-kind.js';
import { splitSnapshotName } from '../types.js';
import { snapshotKey } from './spec.js';

export const snapshotLive: LiveKind = {
  where: 'project',
  async read(r) {
    const present = new Set(Object.keys((await r.of('instance')).instances ?? {}));
    // An instance deleted meanwhile (404) has no snapshots.
    const snapshots = (
      await Promise.all(
        r
          .within([...present])
          .filter((n) => present.has(n))
          .map((n) =>
            r.client.listSnapshots(n).catch((e) => {
              if (isNotFound(e)) return [];
              throw e;
            }),
          ),
      )
    ).flat();
    return { snapshots: Object.fromEntries(snapshots.map((s) => [snapshotKey(s), s])) };
  },
  none: () => ({ snapshots: {} }),
  ownedBy: {
    kind: 'instance',
    owner: (name) => splitSnapshotName(name).instance,
    takeFrom(live, there, instances) {
      const snapshots = { ...(live.snapshots ?? {}) };
      for (const n of instances) {
        for (const k of Object.keys(snapshots)) if (k.startsWith(`${n}/`)) delete snapshots[k];
        for (const [k, s] of Object.entries(there?.snapshots ?? {})) if (k.startsWith(`${n}/`)) snapshots[k] = s;
      }
      return live.snapshots !== undefined || Object.keys(snapshots).length > 0 ? { ...live, snapshots } : live;
    },
  },
};
