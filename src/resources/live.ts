/** Reads what LXD has: one list request per kind (recursion=1), whatever the number of objects. */
import type { LxdClient } from '../lxd/client.js';
import type { LiveSnapshot } from './spec.js';

export async function readLive(client: LxdClient): Promise<LiveSnapshot> {
  const [instances, profiles, images] = await Promise.all([client.listInstances(), client.listProfiles(), client.listImages()]);
  return {
    instances: Object.fromEntries(instances.map((i) => [i.name, i])),
    profiles: Object.fromEntries(profiles.map((p) => [p.name, p])),
    images,
  };
}
