/**
 * Profile operations: LXD writes of a profile (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound } from '../../lxd/client.js';
import { found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import { type DesiredProfile } from '../types.js';

export const profileOps: ResourceOps<DesiredProfile> = {
  exists: (client, name) => found(() => client.getProfile(name), isNotFound),
  async create(client, d) {
    await client.createProfile({ name: d.name, description: d.description, config: d.config, devices: d.devices });
  },
  async update(client, d, ev) {
    const { value, etag } = await client.getProfile(d.name);
    ev.verify?.(value);
    await client.updateProfile(d.name, { description: d.description, config: d.config, devices: d.devices }, etag);
  },
  async delete(client, name, ev) {
    try {
      if (ev.verify) ev.verify((await client.getProfile(name)).value);
      await client.deleteProfile(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
