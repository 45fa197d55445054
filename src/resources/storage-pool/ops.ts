/**
 * Storage pool operations: LXD writes of a pool (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound } from '../../lxd/client.js';
import { configToWrite, found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import type { DesiredStoragePool } from '../types.js';
import { poolFilledKeys } from './spec.js';

export const storagePoolOps: ResourceOps<DesiredStoragePool> = {
  exists: (client, name) => found(() => client.getStoragePool(name), isNotFound),
  async create(client, d) {
    await client.createStoragePool({ name: d.name, driver: d.driver, description: d.description, config: d.config });
  },
  async update(client, d, ev) {
    const { value, etag } = await client.getStoragePool(d.name);
    ev.verify?.(value);
    await client.updateStoragePool(d.name, { description: d.description, config: configToWrite(value.config, d.config, poolFilledKeys(value.driver)) }, etag);
  },
  async delete(client, name, ev) {
    try {
      if (ev.verify) ev.verify((await client.getStoragePool(name)).value);
      await client.deleteStoragePool(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
