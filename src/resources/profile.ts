/**
 * Profiles. Every profile field can change in place; LXD applies the new profile to the
 * instances using it at once. The `default` profile always exists: declaring it adopts it,
 * removing it from the manifests stops managing it, and it is never deleted.
 */
import { isNotFound } from '../lxd/client.js';
import type { LxdProfile } from '../lxd/types.js';
import { configFields, deviceFields, field, found } from './fields.js';
import type { Fields, ResourceOps, ResourceSpec } from './spec.js';
import type { DesiredProfile } from './types.js';

export const profileSpec: ResourceSpec<DesiredProfile, LxdProfile> = {
  kind: 'profile',
  desired: (m) => m.profiles,
  live: (s) => s.profiles,
  desiredFields(d) {
    const f: Fields = { description: field(d.description) };
    configFields(d.config, f);
    deviceFields(d.devices, f);
    return f;
  },
  liveFields(l) {
    const f: Fields = { description: field(l.description ?? '') };
    configFields(l.config ?? {}, f);
    deviceFields(l.devices ?? {}, f);
    return f;
  },
  fieldImpact: () => ({ impact: 'live' }),
  refs: () => [],
  liveRefs: () => [],
  builtin: (name) => name === 'default',
  stateAttributes: () => ({}),
};

export const profileOps: ResourceOps<DesiredProfile> = {
  exists: (client, name) => found(() => client.getProfile(name), isNotFound),
  async create(client, d) {
    await client.createProfile({ name: d.name, description: d.description, config: d.config, devices: d.devices });
  },
  async update(client, d) {
    const { etag } = await client.getProfile(d.name);
    await client.updateProfile(d.name, { description: d.description, config: d.config, devices: d.devices }, etag);
  },
  async delete(client, name) {
    try {
      await client.deleteProfile(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
