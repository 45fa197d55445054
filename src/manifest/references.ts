/**
 * Names an instance refers to (its image and profiles) must exist somewhere: in the
 * manifests or in LXD. The planner calls this with what LXD has; offline callers pass
 * empty sets and get the references the manifests alone cannot satisfy.
 *
 * So must the networks, pools and custom volumes that devices name (a nic's `network:`, a
 * disk's `pool:` and `source:`) and a volume's pool; those are checked only when the caller
 * knows what LXD has (the sets are given): offline, `pool: default` cannot be judged. So must
 * the objects a kind says other objects name in their keys (ResourceSpec.namedIn: the network
 * ACLs of a network's or a NIC's `security.acls`), checked for the kinds `byKind` gives.
 */
import { LxplanError, type SourceLocation } from '../errors.js';
import { deviceUses } from '../resources/devices.js';
import { namedIn } from '../resources/named-in.js';
import { registry } from '../resources/registry.js';
import type { DesiredObject, Kind, Manifest } from '../resources/types.js';
import { didYouMean } from './hints.js';

export interface KnownNames {
  /** Profile names that exist in LXD. ("default" always exists in every project.) */
  profiles: Set<string>;
  /** Image aliases (and fingerprints) that exist in LXD. */
  images: Set<string>;
  /** Managed networks in LXD; undefined: not known, not checked. */
  networks?: Set<string>;
  /** Storage pools in LXD; undefined: not known, not checked. */
  storagePools?: Set<string>;
  /** Custom volumes in LXD, as "POOL/VOLUME"; undefined: not known, not checked. */
  storageVolumes?: Set<string>;
  /** Per kind, the names LXD has, for the kinds other objects name in their keys (namedIn); a kind left out: not known, not checked. */
  byKind?: Partial<Record<Kind, Set<string>>>;
}

const SECTION_OF = { network: 'networks', storage_pool: 'storage_pools', storage_volume: 'storage_volumes' } as const;
const WORD_OF = { network: 'network', storage_pool: 'storage pool', storage_volume: 'custom volume' } as const;

/** Networks, pools and volumes named by devices and volumes that are neither in `m` nor in `known`. */
function checkStorageAndNetworks(m: Manifest, known: KnownNames, errors: LxplanError[]): void {
  const names = {
    network: known.networks && new Set([...Object.keys(m.networks), ...known.networks]),
    storage_pool: known.storagePools && new Set([...Object.keys(m.storagePools), ...known.storagePools]),
    storage_volume: known.storageVolumes && new Set([...Object.keys(m.storageVolumes), ...known.storageVolumes]),
  };
  const missing = (kind: keyof typeof names, name: string, owner: string, location: SourceLocation) => {
    const all = names[kind];
    if (!all || all.has(name)) return;
    errors.push(new LxplanError('manifest.reference', `${owner} uses ${WORD_OF[kind]} "${name}", which is neither in the manifests nor in LXD`, {
      location,
      hint: didYouMean(name, all) ?? `define it under ${SECTION_OF[kind]}:, or create it in LXD first`,
    }));
  };
  for (const v of Object.values(m.storageVolumes)) missing('storage_pool', v.pool, `storage_volume "${v.name}"`, v.at);
  for (const o of [...Object.values(m.profiles), ...Object.values(m.instances)]) {
    for (const u of deviceUses(o.devices)) {
      if (!u.mustExist) continue;
      const at = o.keyAt?.[`devices.${u.device}.${u.key}`] ?? o.keyAt?.[`devices.${u.device}`] ?? o.at;
      missing(u.kind, u.name, `device "${u.device}" of ${o.kind} "${o.name}"`, at);
    }
  }
}

/** Objects named in other objects' keys (namedIn) that are neither in `m` nor in `known.byKind`. */
function checkNamedIn(m: Manifest, known: KnownNames, errors: LxplanError[]): void {
  const declared = (kind: Kind) => Object.keys(registry.find((e) => e.kind === kind)?.spec.desired(m) ?? {});
  for (const user of registry) {
    for (const o of Object.values(user.spec.desired(m) ?? {}) as DesiredObject[]) {
      for (const r of namedIn(registry, user.kind, o)) {
        const inLxd = known.byKind?.[r.kind];
        if (!inLxd) continue;
        const all = new Set([...declared(r.kind), ...inLxd]);
        if (all.has(r.name)) continue;
        const [, device] = r.path.split('.');
        const owner = r.path.startsWith('devices.') ? `device "${device}" of ${user.kind} "${o.name}"` : `${user.kind} "${o.name}"`;
        errors.push(new LxplanError('manifest.reference', `${owner} uses ${r.kind.replace(/_/g, ' ')} "${r.name}", which is neither in the manifests nor in LXD`, {
          location: o.keyAt?.[r.path] ?? o.at,
          hint: didYouMean(r.name, all) ?? `define it under ${r.kind}s:, or create it in LXD first`,
        }));
      }
    }
  }
}

/** An image given by fingerprint may use a unique prefix, as LXD allows. */
function knownImage(name: string, known: Set<string>): boolean {
  if (known.has(name)) return true;
  if (!/^[0-9a-f]{12,64}$/.test(name)) return false;
  for (const k of known) if (/^[0-9a-f]{64}$/.test(k) && k.startsWith(name)) return true;
  return false;
}

/** One located `manifest.reference` error per name found neither in `m` nor in `known`. */
export function checkReferencesOffline(m: Manifest, known: KnownNames): LxplanError[] {
  const errors: LxplanError[] = [];
  const profileNames = new Set([...Object.keys(m.profiles), ...known.profiles, 'default']);
  const imageNames = [...Object.keys(m.images), ...[...known.images].filter((n) => !/^[0-9a-f]{64}$/.test(n))];
  for (const inst of Object.values(m.instances)) {
    // A copy (source:) has no image; its source is checked by the planner, which knows LXD's instances.
    if (!inst.copyOf && !m.images[inst.image] && !knownImage(inst.image, known.images)) {
      errors.push(new LxplanError('manifest.reference', `instance "${inst.name}" uses image "${inst.image}", which is neither in the manifests nor in LXD`, {
        location: inst.keyAt?.image ?? inst.at,
        hint: didYouMean(inst.image, imageNames) ?? 'define it under images:, or import it into LXD first',
      }));
    }
    inst.profiles.forEach((p, i) => {
      if (profileNames.has(p)) return;
      errors.push(new LxplanError('manifest.reference', `instance "${inst.name}" uses profile "${p}", which is neither in the manifests nor in LXD`, {
        location: inst.keyAt?.[`profiles.${i}`] ?? inst.keyAt?.profiles ?? inst.at,
        hint: didYouMean(p, profileNames) ?? 'define it under profiles:, or create it in LXD first',
      }));
    });
  }
  checkStorageAndNetworks(m, known, errors);
  checkNamedIn(m, known, errors);
  return errors;
}
