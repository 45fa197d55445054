/** Tiny builders for planner fixtures: desired objects, live LXD objects, state; and two ways to run the planner. */
import { renderPlan } from '../../src/cli/views/plan-human.js';
import type { LxplanError } from '../../src/errors.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { LxdImage, LxdInstance, LxdInstanceSnapshot, LxdNetwork, LxdProfile, LxdStoragePool, LxdStorageVolume } from '../../src/lxd/types.js';
import type { LiveSnapshot } from '../../src/resources/spec.js';
import type {
  DesiredImage,
  DesiredInstance,
  DesiredNetwork,
  DesiredProfile,
  DesiredSnapshot,
  DesiredStoragePool,
  DesiredStorageVolume,
  Kind,
  Manifest,
} from '../../src/resources/types.js';
import type { State } from '../../src/state/model.js';

const at = (line = 1) => ({ file: 'lxplan.yaml', line, col: 3 });

export const FP_A = 'a'.repeat(64);
export const FP_B = 'b'.repeat(64);

export function manifest(
  parts: {
    images?: DesiredImage[];
    profiles?: DesiredProfile[];
    instances?: DesiredInstance[];
    networks?: DesiredNetwork[];
    storagePools?: DesiredStoragePool[];
    storageVolumes?: DesiredStorageVolume[];
    snapshots?: DesiredSnapshot[];
  } = {},
): Manifest {
  const byName = <T extends { name: string }>(xs: T[] = []) => Object.fromEntries(xs.map((x) => [x.name, x]));
  return {
    dir: '/m',
    files: ['lxplan.yaml'],
    images: byName(parts.images),
    profiles: byName(parts.profiles),
    instances: byName(parts.instances),
    networks: byName(parts.networks),
    storagePools: byName(parts.storagePools),
    storageVolumes: byName(parts.storageVolumes),
    ...(parts.snapshots ? { snapshots: byName(parts.snapshots) } : {}),
  };
}

export function dImage(name: string, fingerprint = FP_A, extra: Partial<DesiredImage> = {}): DesiredImage {
  return { kind: 'image', name, at: at(2), source: { metadata: '/m/meta.tar.gz', rootfs: '/m/rootfs.tar.gz' }, public: false, fingerprint, ...extra };
}

export function dProfile(name: string, extra: Partial<DesiredProfile> = {}): DesiredProfile {
  return { kind: 'profile', name, at: at(7), description: '', config: {}, devices: {}, ...extra };
}

export function dInstance(name: string, extra: Partial<DesiredInstance> = {}): DesiredInstance {
  return {
    kind: 'instance',
    name,
    at: at(12),
    image: 'busybox',
    profiles: ['default'],
    description: '',
    config: {},
    devices: {},
    state: 'running',
    type: 'container',
    protect: false,
    restart: 'manual',
    ...extra,
  };
}

export function dNetwork(name: string, extra: Partial<DesiredNetwork> = {}): DesiredNetwork {
  return { kind: 'network', name, at: at(20), type: 'bridge', description: '', config: {}, ...extra };
}

export function dPool(name: string, extra: Partial<DesiredStoragePool> = {}): DesiredStoragePool {
  return { kind: 'storage_pool', name, at: at(25), driver: 'dir', description: '', config: {}, ...extra };
}

/** A custom volume named "POOL/VOLUME". */
export function dVolume(name: string, extra: Partial<DesiredStorageVolume> = {}): DesiredStorageVolume {
  const [pool, volume] = name.split('/');
  return { kind: 'storage_volume', name, at: at(30), pool, volume, contentType: 'filesystem', description: '', config: {}, ...extra };
}

/** A snapshot named "INSTANCE/SNAPSHOT". */
export function dSnapshot(name: string): DesiredSnapshot {
  const [instance, snapshot] = name.split('/');
  return { kind: 'snapshot', name, at: at(14), instance, snapshot, config: {} };
}

export function lSnapshot(name: string, extra: Partial<LxdInstanceSnapshot> = {}): LxdInstanceSnapshot {
  const [instance, snapshot] = name.split('/');
  return { name: snapshot, instance, created_at: '2026-11-23T10:00:00Z', stateful: false, config: {}, devices: {}, profiles: ['default'], ...extra };
}

export function lImage(fingerprint: string, aliases: string[], extra: Partial<LxdImage> = {}): LxdImage {
  return {
    fingerprint,
    aliases: aliases.map((name) => ({ name, description: '' })),
    architecture: 'x86_64',
    auto_update: false,
    public: false,
    properties: {},
    size: 1000,
    ...extra,
  };
}

export function lProfile(name: string, extra: Partial<LxdProfile> = {}): LxdProfile {
  return { name, description: '', config: {}, devices: {}, used_by: [], ...extra };
}

/** A live instance as LXD reports it after lxplan created it (with the keys LXD adds itself). */
export function lInstance(name: string, extra: Partial<LxdInstance> & { status?: string } = {}): LxdInstance {
  const { config, ...rest } = extra;
  return {
    name,
    type: 'container',
    architecture: 'x86_64',
    ephemeral: false,
    stateful: false,
    description: '',
    profiles: ['default'],
    devices: {},
    status: 'Running',
    status_code: 103,
    config: {
      'image.os': 'busybox',
      'volatile.base_image': FP_A,
      'volatile.idmap.base': '0',
      'volatile.last_state.power': 'RUNNING',
      'volatile.uuid': '5d2c0f9e',
      ...config,
    },
    ...rest,
  };
}

/** A managed network as LXD reports it (bridges get the keys LXD fills in: see network.ts). */
export function lNetwork(name: string, extra: Partial<LxdNetwork> = {}): LxdNetwork {
  return { name, type: 'bridge', description: '', config: {}, managed: true, status: 'Created', used_by: [], ...extra };
}

/** A storage pool; a dir pool reads back with the source LXD gave it. */
export function lPool(name: string, extra: Partial<LxdStoragePool> = {}): LxdStoragePool {
  return { name, driver: 'dir', description: '', config: { source: `/var/lib/lxd/storage-pools/${name}` }, status: 'Created', used_by: [], ...extra };
}

export function lVolume(name: string, extra: Partial<LxdStorageVolume> = {}): LxdStorageVolume {
  const [pool, volume] = name.split('/');
  return { name: volume, pool, type: 'custom', content_type: 'filesystem', description: '', config: {}, used_by: [], ...extra };
}

/** What LXD has: the default profile and the default dir pool always, plus the given objects. */
export function live(
  parts: {
    images?: LxdImage[];
    profiles?: LxdProfile[];
    instances?: LxdInstance[];
    networks?: LxdNetwork[];
    storagePools?: LxdStoragePool[];
    storageVolumes?: LxdStorageVolume[];
    snapshots?: LxdInstanceSnapshot[];
  } = {},
): LiveSnapshot {
  const byName = <T extends { name: string }>(xs: T[] = []) => Object.fromEntries(xs.map((x) => [x.name, x]));
  return {
    images: parts.images ?? [],
    profiles: byName([lProfile('default'), ...(parts.profiles ?? [])]),
    instances: byName(parts.instances),
    networks: byName(parts.networks),
    storagePools: byName([lPool('default'), ...(parts.storagePools ?? [])]),
    storageVolumes: Object.fromEntries((parts.storageVolumes ?? []).map((v) => [`${v.pool}/${v.name}`, v])),
    ...(parts.snapshots ? { snapshots: Object.fromEntries(parts.snapshots.map((x) => [`${x.instance}/${x.name}`, x])) } : {}),
  };
}

/** A state managing the given addresses ("instance.web-1", ...). */
export function state(...addresses: string[]): State {
  const resources: State['resources'] = {};
  for (const a of addresses) {
    const i = a.indexOf('.');
    const kind = a.slice(0, i) as Kind;
    resources[a] = { kind, name: a.slice(i + 1), since: '2026-11-23T00:00:00.000Z', ...(kind === 'instance' ? { attributes: { image: 'busybox' } } : {}) };
  }
  return { version: 1, lineage: 'test-lineage', serial: 1, resources };
}

/** The plan for `input`, rendered as people read it. */
export function render(input: PlanInput): string {
  return renderPlan(plan(input));
}

/** The error the planner refuses `input` with (fails the test when it does not refuse). */
export function planError(input: PlanInput): LxplanError {
  try {
    plan(input);
  } catch (e) {
    return e as LxplanError;
  }
  throw new Error('expected the planner to refuse');
}
