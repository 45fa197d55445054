/**
 * Storage pool operations: LXD writes of a pool (the executor runs them; the plan is in spec.ts),
 * through the shared mechanics of config objects (config-object-ops.ts). The keys LXD filled in
 * are sent back as they are.
 */
import type { LxdStoragePool } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import { configToWrite } from '../fields.js';
import type { DesiredStoragePool } from '../types.js';
import { poolFilledKeys } from './spec.js';

export const storagePoolOps = configObjectOps<DesiredStoragePool, LxdStoragePool>({
  get: (client, name) => client.getStoragePool(name),
  create: (client, d) => client.createStoragePool({ name: d.name, driver: d.driver, description: d.description, config: d.config }),
  put: (client, d, current, etag) =>
    client.updateStoragePool(d.name, { description: d.description, config: configToWrite(current.config, d.config, poolFilledKeys(current.driver)) }, etag),
  remove: (client, name) => client.deleteStoragePool(name),
});
