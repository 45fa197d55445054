/**
 * Custom volume operations: LXD writes of a volume (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound } from '../../lxd/client.js';
import { configToWrite, found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import { splitVolumeName, type DesiredStorageVolume } from '../types.js';
import { filledFrom } from './spec.js';

export const storageVolumeOps: ResourceOps<DesiredStorageVolume> = {
  async exists(client, name) {
    const { pool, volume } = splitVolumeName(name);
    return found(() => client.getCustomVolume(pool, volume), isNotFound);
  },
  async create(client, d) {
    await client.createCustomVolume(d.pool, { name: d.volume, content_type: d.contentType, description: d.description, config: d.config });
  },
  async update(client, d, ev) {
    const { value, etag } = await client.getCustomVolume(d.pool, d.volume);
    ev.verify?.(value);
    // What LXD filled in from the pool's defaults is kept (read from LXD: the pool as it is now).
    const filled = filledFrom((await client.getStoragePool(d.pool)).value.config);
    await client.updateCustomVolume(d.pool, d.volume, { description: d.description, config: configToWrite(value.config, d.config, filled) }, etag);
  },
  async delete(client, name, ev) {
    const { pool, volume } = splitVolumeName(name);
    try {
      if (ev.verify) ev.verify((await client.getCustomVolume(pool, volume)).value);
      await client.deleteCustomVolume(pool, volume);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
