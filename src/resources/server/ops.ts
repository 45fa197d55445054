/**
 * Server config operations: the PATCH of /1.0 (the executor runs them; the plan is in spec.ts).
 */
import { LxplanError } from '../../errors.js';
import type { ConfigMap } from '../../lxd/types.js';
import type { ResourceOps } from '../spec.js';
import type { DesiredServer } from '../types.js';

export const serverOps: ResourceOps<DesiredServer> = {
  exists: async () => true,
  // The server always exists: "creating" it is setting its keys.
  create: (client, d, ev) => serverOps.update(client, d, ev),
  async update(client, d, ev) {
    const { value, etag } = await client.getServer();
    ev.verify?.(value);
    const current = value.config ?? {};
    const patch: ConfigMap = {};
    for (const [k, v] of Object.entries(d.config)) if (current[k] !== v) patch[k] = v;
    for (const k of d.unset ?? []) if (current[k] !== undefined) patch[k] = '';
    if (Object.keys(patch).length > 0) await client.patchServerConfig(patch, etag);
  },
  async delete() {
    // The planner never deletes a built-in object; dropping server: unsets keys through update.
    throw new LxplanError('apply.failed', 'the LXD server config is never deleted: lxplan only unsets the keys it set');
  },
};
