/**
 * Project operations: LXD writes of a project (the executor runs them; the plan is in spec.ts),
 * through the shared mechanics of config objects (config-object-ops.ts). Projects are not inside
 * a project: written through a client without a project scope. The features the daemon filled in
 * (which: daemons.ts) are sent back as they are.
 */
import type { LxdProject } from '../../lxd/types.js';
import { configObjectOps } from '../config-object-ops.js';
import { configToWrite } from '../fields.js';
import type { DesiredProject } from '../types.js';
import { projectFilledKeys } from './spec.js';

export const projectOps = configObjectOps<DesiredProject, LxdProject>({
  via: (client) => (client.project === 'default' ? client : client.withProject('default')),
  get: (client, name) => client.getProject(name),
  create: (client, d) => client.createProject({ name: d.name, description: d.description, config: d.config }),
  put: async (client, d, current, etag) => {
    const filled = projectFilledKeys(d.name, await client.daemon());
    await client.updateProject(d.name, { description: d.description, config: configToWrite(current.config ?? {}, d.config, filled) }, etag);
  },
  remove: (client, name) => client.deleteProject(name),
});
