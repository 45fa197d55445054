/**
 * Reads what LXD has: one list request per kind (recursion=1), whatever the number of objects;
 * custom volumes take one request per pool (LXD 5.0.2 has no /1.0/storage-volumes: that came
 * with the storage_volumes_all extension), made in parallel once the pools are known.
 */
import { isNotFound, type LxdClient } from '../lxd/client.js';
import type { LiveSnapshot } from './spec.js';
import type { Kind } from './types.js';
import { snapshotKey } from './snapshot/spec.js';
import { volumeKey } from './storage-volume/spec.js';

/**
 * `at`: the client for the project holding a kind's objects (where.ts), when it is not `client`'s.
 * `snapshotsOf`: the instances whose snapshots to read (one request each; see snapshot.ts), or a
 * choice among the instances LXD has (export: the instances it writes).
 */
export async function readLive(client: LxdClient, snapshotsOf: readonly string[] | ((instances: string[]) => string[]) = [], at: (kind: Kind) => LxdClient = () => client): Promise<LiveSnapshot> {
  const volumesOfPools = client.listStoragePools().then(async (pools) => ({
    pools,
    // A pool deleted meanwhile (404) has no volumes.
    volumes: (await Promise.all(pools.map((p) => at('storage_volume').listCustomVolumes(p.name).catch((e) => {
      if (isNotFound(e)) return [];
      throw e;
    })))).flat(),
  }));
  const instancesAndSnapshots = client.listInstances().then(async (instances) => {
    const present = new Set(instances.map((i) => i.name));
    // An instance deleted meanwhile (404) has no snapshots.
    const wanted = typeof snapshotsOf === 'function' ? snapshotsOf([...present]) : snapshotsOf;
    const snapshots = (await Promise.all(wanted.filter((n) => present.has(n)).map((n) => client.listSnapshots(n).catch((e) => {
      if (isNotFound(e)) return [];
      throw e;
    })))).flat();
    return { instances, snapshots };
  });
  const [{ instances, snapshots }, profiles, images, networks, { pools, volumes }, server] = await Promise.all([
    instancesAndSnapshots, at('profile').listProfiles(), at('image').listImages(), at('network').listNetworks(), volumesOfPools, client.server(),
  ]);
  return {
    instances: Object.fromEntries(instances.map((i) => [i.name, i])),
    profiles: Object.fromEntries(profiles.map((p) => [p.name, p])),
    images,
    // Host interfaces (eth0, lo ...) are only reported by LXD: not objects it manages.
    networks: Object.fromEntries(networks.filter((n) => n.managed).map((n) => [n.name, n])),
    storagePools: Object.fromEntries(pools.map((p) => [p.name, p])),
    storageVolumes: Object.fromEntries(volumes.filter((v) => (v.type ?? 'custom') === 'custom').map((v) => [volumeKey(v), v])),
    snapshots: Object.fromEntries(snapshots.map((s) => [snapshotKey(s), s])),
    server,
  };
}
