/**
 * Custom volume operations: LXD writes of a volume (the executor runs them; the plan is in
 * spec.ts), through the shared mechanics of config objects (config-object-ops.ts), by its
 * "POOL/VOLUME" name.
 */
import type { LxdStorageVolume } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import { configToWrite } from '../fields.js';
import { splitVolumeName, type DesiredStorageVolume } from '../types.js';
import { filledFrom } from './spec.js';

export const storageVolumeOps = configObjectOps<DesiredStorageVolume, LxdStorageVolume>({
  get(client, name) {
    const { pool, volume } = splitVolumeName(name);
    return client.getCustomVolume(pool, volume);
  },
  create: (client, d) => client.createCustomVolume(d.pool, { name: d.volume, content_type: d.contentType, description: d.description, config: d.config }),
  async put(client, d, current, etag) {
    // What LXD filled in from the pool's defaults is kept (read from LXD: the pool as it is now).
    const filled = filledFrom((await client.getStoragePool(d.pool)).value.config);
    await client.updateCustomVolume(d.pool, d.volume, { description: d.description, config: configToWrite(current.config, d.config, filled) }, etag);
  },
  remove(client, name) {
    const { pool, volume } = splitVolumeName(name);
    return client.deleteCustomVolume(pool, volume);
  },
});
