/**
 * Network operations: LXD writes of a managed network (the executor runs them; the plan is in
 * spec.ts), through the shared mechanics of config objects (config-object-ops.ts). The keys LXD
 * filled in are sent back as they are.
 */
import type { LxdNetwork } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import { configToWrite } from '../fields.js';
import type { DesiredNetwork } from '../types.js';
import { networkFilledKeys } from './spec.js';

export const networkOps = configObjectOps<DesiredNetwork, LxdNetwork>({
  get: (client, name) => client.getNetwork(name),
  create: (client, d) => client.createNetwork({ name: d.name, type: d.type, description: d.description, config: d.config }),
  put: (client, d, current, etag) =>
    client.updateNetwork(d.name, { description: d.description, config: configToWrite(current.config, d.config, networkFilledKeys(current.type)) }, etag),
  remove: (client, name) => client.deleteNetwork(name),
});
