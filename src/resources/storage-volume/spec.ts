/**
 * Custom storage volumes, named "POOL/VOLUME": LXD names volumes per pool, so the pool is part of
 * the volume's identity (the manifest key and the address, "storage_volume.fast/data"). Another
 * pool is another volume: the old one is deleted and a new, empty one created.
 *
 * Fields fixed at creation: `content_type` (rest-api.yaml has it in StorageVolumesPost only;
 * StorageVolumePut holds config and description) and `block.filesystem` (LXD's drivers set it
 * once, "unchangeable volume property"). Changing one replaces the volume: its data is lost.
 * Every other key (size, snapshots.*, security.*) applies in place.
 *
 * Keys LXD fills in itself (filledKeys): every key the pool has a `volume.<key>` default for (a
 * pool with `volume.size: 1GB` gives its new volumes `size: 1GB`, observed on 5.0.2), and the
 * block-backed drivers' block.filesystem / block.mount_options. LXD's unless declared.
 * volatile.* keys (volatile.idmap.last/next appear once an instance mounts the volume) are
 * never compared and always kept.
 *
 * Where the volumes live: with the project's features.storage.volumes, in the project; without
 * it (lxplan's test projects), in the default project, shared with it. LXD does both.
 */
import type { LxdStorageVolume } from '../../lxd/types.js';
import { configFields, digestOf, field, managedConfig, ownedConfig, type FilledKeys } from '../fields.js';
import type { FieldImpact, Fields, PlanContext, ResourceSpec } from '../spec.js';
import { unenforcedSizeNote } from '../storage-pool/spec.js';
import { addressOf, type DesiredStorageVolume } from '../types.js';

/** Keys of a new volume LXD fills in: by driver, or from a `volume.*` default of its pool (in any of `poolConfigs`). */
export function filledFrom(...poolConfigs: (Record<string, string> | undefined)[]): FilledKeys {
  return (k) => k === 'block.filesystem' || k === 'block.mount_options' || poolConfigs.some((c) => c !== undefined && `volume.${k}` in c);
}

/** The pool's defaults as the manifests declare them and as LXD has them (a volume may predate either). */
export function volumeFilledKeys(pool: string, ctx: PlanContext): FilledKeys {
  return filledFrom(ctx.manifest.storagePools[pool]?.config, ctx.live.storagePools[pool]?.config);
}

/** "POOL/VOLUME" for a live volume. */
export function volumeKey(v: { pool: string; name: string }): string {
  return `${v.pool}/${v.name}`;
}

const REPLACE_NOTE = 'the volume is deleted and created empty: its data is lost';

export const storageVolumeSpec: ResourceSpec<DesiredStorageVolume, LxdStorageVolume> = {
  kind: 'storage_volume',
  desired: (m) => m.storageVolumes,
  live: (s) => s.storageVolumes,
  desiredFields(d) {
    const f: Fields = { content_type: field(d.contentType), description: field(d.description) };
    return configFields(d.config, f);
  },
  liveFields(l, ctx, d) {
    const f: Fields = { content_type: field(l.content_type || 'filesystem'), description: field(l.description ?? '') };
    return configFields(ownedConfig(l.config, d?.config, volumeFilledKeys(l.pool, ctx)), f);
  },
  fieldImpact(path): FieldImpact {
    if (path === 'content_type' || path === 'config.block.filesystem') return { impact: 'replace', note: REPLACE_NOTE };
    return { impact: 'live' };
  },
  fieldNote: (path, d, ctx) => (path === 'config.size' && d.contentType === 'filesystem' ? unenforcedSizeNote(d.pool, ctx) : undefined),
  refs: (d) => [addressOf('storage_pool', d.pool)],
  liveRefs: (l) => [addressOf('storage_pool', l.pool)],
  builtin: () => false,
  stateAttributes: () => ({}),
  digest: (l) => digestOf({ content_type: l.content_type || 'filesystem', description: l.description ?? '', config: managedConfig(l.config) }),
};
