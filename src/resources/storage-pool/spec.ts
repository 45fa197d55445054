/**
 * Storage pools. Global objects: every LXD project sees the same pools.
 *
 * Fields fixed at creation: `driver` (rest-api.yaml has it in StoragePoolsPost only;
 * StoragePoolPut holds config and description) and the config keys that say where the pool
 * lives: `source` (LXD 5.0.2 answers a PUT that changes it with "Pool source cannot be changed
 * when not in pending state"), `zfs.pool_name`. Changing one replaces the pool, which LXD allows
 * only once nothing is left in it. Every other key applies in place.
 *
 * Keys LXD fills in itself when a new pool leaves them out (FILLED_KEYS): `source` (a dir pool
 * gets /var/lib/lxd/storage-pools/NAME, observed on 5.0.2), and for loop-backed pools `size`,
 * `zfs.pool_name`, `lvm.vg_name`, `lvm.thinpool_name` (configuration.json, storage-*: "default:
 * name of the pool", "auto"). They are LXD's unless declared, and always sent back as they are.
 *
 * The `default` pool (made by `lxd init`) is built in, like the default profile: declaring it
 * adopts it, removing it from the manifests only stops managing it, it is never deleted.
 */
import type { LxdStoragePool } from '../../lxd/types.js';
import { configFields, digestOf, field, managedConfig, ownedConfig, type FilledKeys } from '../fields.js';
import type { FieldImpact, Fields, PlanContext, ResourceSpec } from '../spec.js';
import { poolDeviceReferences } from './device-refs.js';
import { checkPoolMembers, desiredMemberFields, isMemberCreationField, liveMemberFields } from './members.js';
import type { DesiredStoragePool } from '../types.js';

const FILLED_KEYS: Record<string, readonly string[]> = {
  dir: ['source'],
  btrfs: ['source', 'size'],
  zfs: ['source', 'size', 'zfs.pool_name'],
  lvm: ['source', 'size', 'lvm.vg_name', 'lvm.thinpool_name'],
  ceph: ['source', 'ceph.cluster_name', 'ceph.osd.pg_num', 'ceph.osd.pool_name', 'ceph.user.name'],
  cephfs: ['source', 'cephfs.cluster_name', 'cephfs.path', 'cephfs.user.name'],
};

export function poolFilledKeys(driver: string): FilledKeys {
  const keys = FILLED_KEYS[driver] ?? ['source'];
  return (k) => keys.includes(k);
}

/** Config keys that cannot change once the pool exists. */
const CREATION_KEYS = new Set(['source', 'zfs.pool_name', 'ceph.osd.pool_name', 'cephfs.path']);

const REPLACE_NOTE = 'LXD deletes a pool only when it holds no volumes and no instance uses it';

/** The driver of a pool, from the manifests first, then from LXD. */
export function poolDriver(pool: string, ctx: PlanContext): string | undefined {
  return ctx.manifest.storagePools[pool]?.driver ?? ctx.live.storagePools[pool]?.driver;
}

/**
 * A size on pool `pool` that LXD does not enforce: the dir driver applies a size as a project
 * quota, and where the backing filesystem has none LXD 5.0 stores the size and skips the quota
 * (its log says "The backing filesystem doesn't support quotas, skipping set quota"; observed on
 * 5.0.2 with ext4: 150 MB written into a 100MB volume).
 */
export function unenforcedSizeNote(pool: string | undefined, ctx: PlanContext): string | undefined {
  if (!pool || poolDriver(pool, ctx) !== 'dir') return undefined;
  return `not enforced unless the filesystem of dir pool "${pool}" has project quotas: LXD stores the size and skips the quota`;
}

export const storagePoolSpec: ResourceSpec<DesiredStoragePool, LxdStoragePool> = {
  kind: 'storage_pool',
  desired: (m) => m.storagePools,
  live: (s) => s.storagePools,
  desiredFields(d) {
    const f: Fields = { driver: field(d.driver), description: field(d.description) };
    desiredMemberFields(d.members, f);
    return configFields(d.config, f);
  },
  liveFields(l, ctx, d) {
    const f: Fields = { driver: field(l.driver), description: field(l.description ?? '') };
    liveMemberFields(ctx.live.storagePoolMembers?.[l.name], d?.members, poolFilledKeys(l.driver), f);
    return configFields(ownedConfig(l.config, d?.config, poolFilledKeys(l.driver)), f);
  },
  fieldImpact(path): FieldImpact {
    if (path === 'driver' || isMemberCreationField(path) || (path.startsWith('config.') && CREATION_KEYS.has(path.slice('config.'.length)))) {
      return { impact: 'replace', note: REPLACE_NOTE };
    }
    return { impact: 'live' };
  },
  refs: () => [],
  liveRefs: () => [],
  builtin: (name) => name === 'default',
  stateAttributes: () => ({}),
  digest: (l) => digestOf({ driver: l.driver, description: l.description ?? '', config: managedConfig(l.config) }),
  // --- planner hooks ---
  referableNames: (ctx, gone) => ({ storagePools: new Set(Object.keys(ctx.live.storagePools).filter((n) => !gone.has(n))) }),
  deviceReferences: poolDeviceReferences,
  checkPlan: (ctx) => checkPoolMembers(ctx.manifest, ctx.live),
};
