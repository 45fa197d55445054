/**
 * Network operations: LXD writes of a managed network (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound } from '../../lxd/client.js';
import { configToWrite, found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import { type DesiredNetwork } from '../types.js';
import { networkFilledKeys } from './spec.js';

export const networkOps: ResourceOps<DesiredNetwork> = {
  exists: (client, name) => found(() => client.getNetwork(name), isNotFound),
  async create(client, d) {
    await client.createNetwork({ name: d.name, type: d.type, description: d.description, config: d.config });
  },
  async update(client, d, ev) {
    const { value, etag } = await client.getNetwork(d.name);
    ev.verify?.(value);
    await client.updateNetwork(d.name, { description: d.description, config: configToWrite(value.config, d.config, networkFilledKeys(value.type)) }, etag);
  },
  async delete(client, name, ev) {
    try {
      if (ev.verify) ev.verify((await client.getNetwork(name)).value);
      await client.deleteNetwork(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
