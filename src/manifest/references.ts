/**
 * Names an object refers to (an instance's image and profiles, what devices use, a volume's
 * pool) must exist somewhere: in the manifests or in LXD. The planner calls this with what LXD
 * has; offline callers pass empty sets and get the references the manifests alone cannot satisfy.
 *
 * Each kind says what it references (KindManifest.references) and how a name of it is checked
 * (KindManifest.referenced). A kind whose check is not `always` (networks, pools, custom volumes)
 * is checked only when the caller knows what LXD has (its set is given): offline, `pool: default`
 * cannot be judged. The `always` references are reported first, then the others, each in the
 * registry's order. So must the objects a kind says other objects name in their keys
 * (ResourceSpec.namedIn: the network ACLs of a network's or a NIC's `security.acls`), checked for
 * the kinds `byKind` gives.
 */
import { LxplanError } from '../errors.js';
import { namedIn } from '../resources/named-in.js';
import { registry } from '../resources/registry.js';
import type { DesiredObject, Kind, Manifest } from '../resources/types.js';
import { didYouMean } from './hints.js';
import type { Reference, Referenced } from './kind.js';

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
}

/** Per kind, the names LXD has, for the kinds other objects name in their keys (namedIn); a kind left out: not known, not checked. */
export type KnownByKind = Partial<Record<Kind, ReadonlySet<string>>>;

/** Objects named in other objects' keys (namedIn) that are neither in `m` nor in `byKind`. */
function checkNamedIn(m: Manifest, byKind: KnownByKind, errors: LxplanError[]): void {
  const declared = (kind: Kind) => Object.keys(registry.find((e) => e.kind === kind)?.spec.desired(m) ?? {});
  for (const user of registry) {
    for (const o of Object.values<DesiredObject>(user.spec.desired(m) ?? {})) {
      for (const r of namedIn(registry, user.kind, o)) {
        const inLxd = byKind[r.kind];
        if (!inLxd) continue;
        const all = new Set([...declared(r.kind), ...inLxd]);
        if (all.has(r.name)) continue;
        const [, device] = r.path.split('.');
        const owner = r.path.startsWith('devices.') ? `device "${device}" of ${user.kind} "${o.name}"` : `${user.kind} "${o.name}"`;
        errors.push(
          new LxplanError('manifest.reference', `${owner} uses ${r.kind.replace(/_/g, ' ')} "${r.name}", which is neither in the manifests nor in LXD`, {
            location: o.keyAt?.[r.path] ?? o.at,
            hint: didYouMean(r.name, all) ?? `define it under ${r.kind}s:, or create it in LXD first`,
          }),
        );
      }
    }
  }
}

/** One located `manifest.reference` error per name found neither in `m` nor in `known`. */
export function checkReferencesOffline(m: Manifest, known: KnownNames, byKind: KnownByKind = {}): LxplanError[] {
  const target = new Map(
    registry.filter((e) => e.manifest.referenced).map((e) => [e.kind, { kind: e.kind, how: e.manifest.referenced!, declared: e.spec.desired(m) }]),
  );
  const uses: Array<{ ref: Reference; by: DesiredObject }> = [];
  for (const e of registry) {
    if (!e.manifest.references) continue;
    for (const o of Object.values<DesiredObject>(e.spec.desired(m))) for (const ref of e.manifest.references(o)) uses.push({ ref, by: o });
  }
  const errors: LxplanError[] = [];
  for (const always of [true, false]) {
    for (const { ref, by } of uses) {
      const t = target.get(ref.kind);
      if (!t || (t.how.always ?? false) !== always) continue;
      const error = missing(t.kind, t.how, t.declared, known, ref, by);
      if (error) errors.push(error);
    }
  }
  checkNamedIn(m, byKind, errors);
  return errors;
}

/** The error for `ref` when its name is neither declared nor known to LXD (when LXD's names of its kind are known). */
function missing(
  kind: Kind,
  how: Referenced,
  declared: Record<string, DesiredObject>,
  known: KnownNames,
  ref: Reference,
  by: DesiredObject,
): LxplanError | undefined {
  const lxd = known[how.known] ?? (how.always ? new Set<string>() : undefined);
  if (!lxd) return undefined;
  const builtin = how.builtin ?? [];
  if (Object.hasOwn(declared, ref.name) || builtin.includes(ref.name) || (how.isKnown ? how.isKnown(ref.name, lxd) : lxd.has(ref.name))) return undefined;
  const candidates = [...Object.keys(declared), ...[...lxd].filter((n) => !how.suggest || how.suggest(n)), ...builtin];
  return new LxplanError(
    'manifest.reference',
    `${ref.owner ?? `${by.kind} "${by.name}"`} uses ${how.word ?? kind} "${ref.name}", which is neither in the manifests nor in LXD`,
    {
      location: ref.at,
      hint: didYouMean(ref.name, candidates) ?? how.hint,
    },
  );
}
