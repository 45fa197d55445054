/**
 * Profile operations: LXD writes of a profile (the executor runs them; the plan is in spec.ts),
 * through the shared mechanics of config objects (config-object-ops.ts).
 */
import type { LxdProfile } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import type { DesiredProfile } from '../types.js';

export const profileOps = configObjectOps<DesiredProfile, LxdProfile>({
  get: (client, name) => client.getProfile(name),
  create: (client, d) => client.createProfile({ name: d.name, description: d.description, config: d.config, devices: d.devices }),
  put: (client, d, _current, etag) => client.updateProfile(d.name, { description: d.description, config: d.config, devices: d.devices }, etag),
  remove: (client, name) => client.deleteProfile(name),
});
