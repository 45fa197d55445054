/** Snapshots in the manifests (src/manifest/kind.ts): no section of their own, each instance's `snapshots:` list. */
import type { KindManifest } from '../../manifest/kind.js';
import type { DesiredSnapshot } from './types.js';

export const snapshotManifest: KindManifest<DesiredSnapshot> = {
  store(m, objects) {
    m.snapshots = objects;
  },
  /** Each instance's `snapshots:` list as snapshot objects, keyed "INSTANCE/SNAPSHOT", located at their list items. */
  derive(m) {
    const out: Record<string, DesiredSnapshot> = {};
    for (const inst of Object.values(m.instances)) {
      (inst.snapshots ?? []).forEach((snapshot, i) => {
        const name = `${inst.name}/${snapshot}`;
        out[name] = { kind: 'snapshot', name, instance: inst.name, snapshot, config: {}, at: inst.keyAt?.[`snapshots.${i}`] ?? inst.at };
      });
    }
    return out;
  },
};
