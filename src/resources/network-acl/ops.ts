/**
 * Network ACL operations: LXD writes of an ACL (the executor runs them; the plan is in spec.ts),
 * through the shared mechanics of config objects (config-object-ops.ts). Every write PUTs the
 * whole ACL (description, both rule lists, config) with If-Match; a rename is LXD's POST, then
 * the same PUT under the new name.
 */
import type { LxdNetworkAclPut } from '../../lxd/requests.js';
import type { LxdNetworkAcl } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import type { ResourceOps } from '../spec.js';
import { toLxdRule } from './rules.js';
import type { DesiredNetworkAcl } from './types.js';

function put(d: DesiredNetworkAcl): LxdNetworkAclPut {
  return { description: d.description, ingress: d.ingress.map(toLxdRule), egress: d.egress.map(toLxdRule), config: d.config };
}

const base = configObjectOps<DesiredNetworkAcl, LxdNetworkAcl>({
  get: (client, name) => client.getNetworkAcl(name),
  create: (client, d) => client.createNetworkAcl({ name: d.name, ...put(d) }),
  put: (client, d, _current, etag) => client.updateNetworkAcl(d.name, put(d), etag),
  remove: (client, name) => client.deleteNetworkAcl(name),
});

export const networkAclOps: ResourceOps<DesiredNetworkAcl> = {
  ...base,
  async rename(client, from, d, ev) {
    const { value } = await client.getNetworkAcl(from);
    ev.verify?.(value);
    await client.renameNetworkAcl(from, d.name);
    await base.update(client, d, { ...ev, verify: undefined });
  },
};
