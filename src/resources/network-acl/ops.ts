/**
 * Network ACL operations: LXD writes of an ACL (the executor runs them; the plan is in spec.ts).
 * Every write PUTs the whole ACL (description, both rule lists, config) with If-Match.
 */
import { isNotFound } from '../../lxd/client.js';
import type { LxdNetworkAclPut } from '../../lxd/requests.js';
import { found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import { toLxdRule } from './rules.js';
import type { DesiredNetworkAcl } from './types.js';

function put(d: DesiredNetworkAcl): LxdNetworkAclPut {
  return { description: d.description, ingress: d.ingress.map(toLxdRule), egress: d.egress.map(toLxdRule), config: d.config };
}

export const networkAclOps: ResourceOps<DesiredNetworkAcl> = {
  exists: (client, name) => found(() => client.getNetworkAcl(name), isNotFound),
  async create(client, d) {
    await client.createNetworkAcl({ name: d.name, ...put(d) });
  },
  async update(client, d, ev) {
    const { value, etag } = await client.getNetworkAcl(d.name);
    ev.verify?.(value);
    await client.updateNetworkAcl(d.name, put(d), etag);
  },
  async rename(client, from, d, ev) {
    const { value } = await client.getNetworkAcl(from);
    ev.verify?.(value);
    await client.renameNetworkAcl(from, d.name);
    const { etag } = await client.getNetworkAcl(d.name);
    await client.updateNetworkAcl(d.name, put(d), etag);
  },
  async delete(client, name, ev) {
    try {
      if (ev.verify) ev.verify((await client.getNetworkAcl(name)).value);
      await client.deleteNetworkAcl(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
