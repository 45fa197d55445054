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
import { clusterMemberNames, createOnMembers, updateMembers } from './members.js';

export const storagePoolOps = configObjectOps<DesiredStoragePool, LxdStoragePool>({
  get: (client, name) => client.getStoragePool(name),
  async create(client, d) {
    // On a cluster: pending on every member first, with its own keys (members.ts), then made globally.
    const members = await clusterMemberNames(client);
    if (members.length > 0) await createOnMembers(client, d, members);
    await client.createStoragePool({ name: d.name, driver: d.driver, description: d.description, config: d.config });
  },
  async put(client, d, current, etag) {
    await client.updateStoragePool(
      d.name,
      { description: d.description, config: configToWrite(current.config, d.config, poolFilledKeys(current.driver)) },
      etag,
    );
    await updateMembers(client, d);
  },
  remove: (client, name) => client.deleteStoragePool(name),
});
