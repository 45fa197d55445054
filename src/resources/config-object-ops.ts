/**
 * The operations of the objects LXD keeps as config (+ devices) + description behind one URL
 * (profiles, networks, storage pools, custom volumes, projects), in one place: `exists` is a GET
 * where 404 means no; an update GETs the object, checks it is what the plan saw (OpEvents.verify)
 * and PUTs it with that GET's ETag as If-Match; a delete checks the same and DELETEs, 404 meaning
 * it is gone already. Each kind's ops.ts gives only its LXD calls.
 */
import { isNotFound, type LxdClient, type Versioned } from '../lxd/client.js';
import { found } from './fields.js';
import type { ResourceOps } from './spec.js';
import type { DesiredObject } from './types.js';

/** A kind's LXD calls, by object name (a custom volume: "POOL/VOLUME"). */
export interface ConfigObjectCalls<D extends DesiredObject, L> {
  /** The client its requests go through (projects: without a project scope); default the one given. */
  via?(client: LxdClient): LxdClient;
  get(client: LxdClient, name: string): Promise<Versioned<L>>;
  create(client: LxdClient, d: D): Promise<void>;
  /** Writes `d` over `current` (what LXD holds: the keys it filled in are sent back), with If-Match `etag`. */
  put(client: LxdClient, d: D, current: L, etag: string | undefined): Promise<void>;
  remove(client: LxdClient, name: string): Promise<void>;
}

export function configObjectOps<D extends DesiredObject, L>(calls: ConfigObjectCalls<D, L>): ResourceOps<D> {
  const via = (client: LxdClient) => (calls.via ? calls.via(client) : client);
  return {
    exists: (client, name) => found(() => calls.get(via(client), name), isNotFound),
    async create(client, d) {
      await calls.create(via(client), d);
    },
    async update(client, d, ev) {
      const c = via(client);
      const { value, etag } = await calls.get(c, d.name);
      ev.verify?.(value);
      await calls.put(c, d, value, etag);
    },
    async delete(client, name, ev) {
      const c = via(client);
      try {
        if (ev.verify) ev.verify((await calls.get(c, name)).value);
        await calls.remove(c, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
