/**
 * Storage pools on an LXD cluster: the keys that are each member's own (`source`, `size`,
 * `zfs.pool_name`, `lvm.vg_name`, ...), declared per member under `members:`
 * (`members: {m1: {source: /srv/a}, m2: {source: /srv/b}}`).
 *
 * What LXD does (5.0.2, observed on the two-member cluster of scripts/cluster-up.sh):
 *  - a pool is made per member first (POST /1.0/storage-pools?target=M with that member's keys:
 *    "pending on member M"), then once globally (POST without target, the other keys); every
 *    member must have its pending entry before the global POST;
 *  - GET /1.0/storage-pools lists the pools without member-specific keys; GET
 *    /1.0/storage-pools/NAME?target=M shows member M's (one request per member and pool: small);
 *  - PUT ...?target=M takes member-specific keys only ("Config key ... may not be used as cluster
 *    member specific key" for the others); a dir pool's source must exist on the member.
 * The member-specific keys are LXD's own list (db.NodeSpecificStorageConfig).
 */
import { LxplanError } from '../../errors.js';
import type { LxdClient } from '../../lxd/client.js';
import type { ConfigMap, LxdClusterEnvironment } from '../../lxd/types.js';
import { field, ownedConfig, type FilledKeys } from '../fields.js';
import type { Fields, LiveSnapshot } from '../spec.js';
import type { DesiredStoragePool, Manifest } from '../types.js';

/** LXD's member-specific storage pool keys (db.NodeSpecificStorageConfig, LXD 5.0). */
export const POOL_MEMBER_KEYS: readonly string[] = [
  'size',
  'source',
  'source.wipe',
  'volatile.initial_source',
  'zfs.pool_name',
  'lvm.thinpool_name',
  'lvm.vg_name',
];

/** Member-specific keys that cannot change once the pool exists on that member. */
const MEMBER_CREATION_KEYS = new Set(['source', 'zfs.pool_name']);

export const isPoolMemberKey = (k: string) => POOL_MEMBER_KEYS.includes(k);

/** `members.<member>.<key>` fields of a declared pool. */
export function desiredMemberFields(members: Record<string, ConfigMap> | undefined, f: Fields): void {
  for (const [m, config] of Object.entries(members ?? {})) for (const [k, v] of Object.entries(config)) f[`members.${m}.${k}`] = field(v);
}

/** The same fields as each declared member has them (the keys LXD filled in that are not declared left out). */
export function liveMemberFields(
  perMember: Record<string, ConfigMap> | undefined,
  declared: Record<string, ConfigMap> | undefined,
  filled: FilledKeys,
  f: Fields,
): void {
  for (const m of Object.keys(declared ?? {})) {
    const own = ownedConfig(memberKeysOf(perMember?.[m] ?? {}), declared?.[m], filled);
    for (const [k, v] of Object.entries(own)) f[`members.${m}.${k}`] = field(v);
  }
}

/** Whether a field is a member's key that fixes where the pool lives there (a replace). */
export function isMemberCreationField(path: string): boolean {
  const m = /^members\.[^.]+\.(.+)$/.exec(path);
  return m !== null && MEMBER_CREATION_KEYS.has(m[1]);
}

function memberKeysOf(config: ConfigMap): ConfigMap {
  return Object.fromEntries(Object.entries(config).filter(([k]) => isPoolMemberKey(k)));
}

/**
 * Each member's keys of every pool, when the daemon is clustered (`members`: the cluster's
 * members, read with the instances): one GET per pool and member.
 */
export async function readPoolMembers(
  client: LxdClient,
  pools: string[],
  members: string[] | undefined,
): Promise<Record<string, Record<string, ConfigMap>> | undefined> {
  if (!members || members.length === 0) return undefined;
  const out: Record<string, Record<string, ConfigMap>> = {};
  await Promise.all(
    pools.flatMap((p) =>
      members.map(async (m) => {
        const { value } = await client.getStoragePoolOn(p, m);
        (out[p] ??= {})[m] = memberKeysOf(value.config ?? {});
      }),
    ),
  );
  return out;
}

/** The cluster's member names at apply time, or [] when the daemon is not clustered (GET /1.0, then the members). */
export async function clusterMemberNames(client: LxdClient): Promise<string[]> {
  const env: LxdClusterEnvironment | undefined = (await client.server()).environment;
  if (env?.server_clustered !== true) return [];
  return (await client.listClusterMembers()).map((m) => m.server_name);
}

/** Creates the pool on a cluster: pending on every member with its own keys, then globally. */
export async function createOnMembers(client: LxdClient, d: DesiredStoragePool, members: string[]): Promise<void> {
  for (const m of members) await client.createStoragePoolOn({ name: d.name, driver: d.driver, config: d.members?.[m] ?? {} }, m);
}

/** Writes each declared member's keys that differ (PUT ?target=M, member-specific keys only). */
export async function updateMembers(client: LxdClient, d: DesiredStoragePool): Promise<void> {
  for (const [m, declared] of Object.entries(d.members ?? {})) {
    const { value, etag } = await client.getStoragePoolOn(d.name, m);
    const current = memberKeysOf(value.config ?? {});
    const next = { ...current, ...declared };
    if (JSON.stringify(Object.entries(next).sort()) !== JSON.stringify(Object.entries(current).sort())) await client.updateStoragePoolOn(d.name, next, m, etag);
  }
}

/**
 * `members:` needs a cluster and members it has; on a cluster, a member-specific key belongs
 * under `members:` (LXD refuses it in the global config). Each error names the key's place.
 */
export function checkPoolMembers(m: Manifest, live: LiveSnapshot): LxplanError[] {
  const errors: LxplanError[] = [];
  const known = live.cluster ? Object.keys(live.cluster.members).sort() : undefined;
  for (const d of Object.values<DesiredStoragePool>(m.storagePools)) {
    if (d.members && !known) {
      errors.push(
        new LxplanError('plan.conflict', `storage pool "${d.name}" has members:, but the daemon is not clustered`, {
          location: d.keyAt?.members ?? d.at,
          hint: 'write the keys in config: for a daemon that is not a cluster member',
        }),
      );
      continue;
    }
    if (!known) continue;
    for (const member of Object.keys(d.members ?? {})) {
      if (!known.includes(member))
        errors.push(
          new LxplanError(
            'plan.conflict',
            `storage pool "${d.name}": members: names ${member}, which is not a member of this cluster (members: ${known.join(', ')})`,
            {
              location: d.keyAt?.[`members.${member}`] ?? d.at,
              hint: 'name the members as lxc cluster list shows them',
            },
          ),
        );
    }
    for (const k of Object.keys(d.config).filter(isPoolMemberKey)) {
      errors.push(
        new LxplanError('plan.conflict', `storage pool "${d.name}": ${k} is member-specific on a cluster: each member has its own`, {
          location: d.keyAt?.[`config.${k}`] ?? d.at,
          hint: `declare it per member: members: {${known.map((n) => `${n}: {${k}: ...}`).join(', ')}}`,
        }),
      );
    }
  }
  return errors;
}
