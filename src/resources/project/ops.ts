/**
 * Project operations: LXD writes of a project, always without a project scope (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound, type LxdClient } from '../../lxd/client.js';
import { configToWrite, found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import type { DesiredProject } from '../types.js';
import { projectFilledKeys } from './spec.js';

/** Projects are not inside a project: written through a client without a project scope. */
function unscoped(client: LxdClient): LxdClient {
  return client.project === 'default' ? client : client.withProject('default');
}

export const projectOps: ResourceOps<DesiredProject> = {
  exists: (client, name) => found(() => unscoped(client).getProject(name), isNotFound),
  async create(client, d) {
    await unscoped(client).createProject({ name: d.name, description: d.description, config: d.config });
  },
  async update(client, d, ev) {
    const c = unscoped(client);
    const { value, etag } = await c.getProject(d.name);
    ev.verify?.(value);
    await c.updateProject(d.name, { description: d.description, config: configToWrite(value.config ?? {}, d.config, projectFilledKeys(d.name)) }, etag);
  },
  async delete(client, name, ev) {
    const c = unscoped(client);
    try {
      if (ev.verify) ev.verify((await c.getProject(name)).value);
      await c.deleteProject(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
