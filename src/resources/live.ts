/**
 * Reads what LXD has: each kind's read (its registry entry's `live:`, <kind>/live.ts), all at
 * once: one list request per kind (recursion=1), whatever the number of objects; a kind read per
 * object of another (custom volumes per pool, snapshots per instance) starts once those are known.
 */
import type { LxdClient } from '../lxd/client.js';
import type { LiveReads } from './live-kind.js';
import { registry, type KindEntry } from './registry.js';
import type { LiveSnapshot } from './spec.js';
import type { Kind } from './types.js';

/**
 * Reads the kinds of `entries` with `client` (`at`: the client for the project holding a kind's
 * objects, for the kinds that are not global); `within` as LiveReads has it.
 */
export async function readKinds(
  entries: readonly KindEntry[],
  client: LxdClient,
  within: LiveReads['within'],
  at: (kind: Kind) => LxdClient = () => client,
): Promise<Partial<LiveSnapshot>> {
  const reads = new Map<Kind, Promise<Partial<LiveSnapshot>>>();
  const of = (kind: Kind): Promise<Partial<LiveSnapshot>> => {
    let read = reads.get(kind);
    if (!read) {
      const { live } = registry.find((e) => e.kind === kind)!;
      read = live.read({ client: live.where === 'global' ? client : at(kind), of, within });
      reads.set(kind, read);
    }
    return read;
  };
  return Object.assign({}, ...(await Promise.all(entries.map((e) => of(e.kind))))) as Partial<LiveSnapshot>;
}

/**
 * Every kind but those read first (the projects: live-project.ts).
 * `at`: the client for the project holding a kind's objects (where.ts), when it is not `client`'s.
 * `snapshotsOf`: the instances whose snapshots to read (one request each; see snapshot/live.ts), or a
 * choice among the instances LXD has (export: the instances it writes).
 */
export async function readLive(
  client: LxdClient,
  snapshotsOf: readonly string[] | ((instances: string[]) => string[]) = [],
  at: (kind: Kind) => LxdClient = () => client,
): Promise<LiveSnapshot> {
  const within = (names: string[]) => (typeof snapshotsOf === 'function' ? snapshotsOf(names) : [...snapshotsOf]);
  return (await readKinds(
    registry.filter((e) => !e.live.scoping),
    client,
    within,
    at,
  )) as LiveSnapshot;
}
