/**
 * How custom volumes are read from LXD: one request per pool (LXD 5.0.2 has no
 * /1.0/storage-volumes: that came with the storage_volumes_all extension), made in parallel once
 * the pools are known; in the project with features.storage.volumes, else in the default project.
 */
import { isNotFound } from '../../lxd/client.js';
import type { LiveKind } from '../live-kind.js';
import { volumeKey } from './spec.js';

export const storageVolumeLive: LiveKind = {
  where: 'features.storage.volumes',
  async read(r) {
    const pools = Object.keys((await r.of('storage_pool')).storagePools ?? {});
    // A pool deleted meanwhile (404) has no volumes.
    const volumes = (
      await Promise.all(
        pools.map((p) =>
          r.client.listCustomVolumes(p).catch((e) => {
            if (isNotFound(e)) return [];
            throw e;
          }),
        ),
      )
    ).flat();
    return { storageVolumes: Object.fromEntries(volumes.filter((v) => (v.type ?? 'custom') === 'custom').map((v) => [volumeKey(v), v])) };
  },
  none: () => ({ storageVolumes: {} }),
};
