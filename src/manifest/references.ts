/**
 * Names an instance refers to (its image and profiles) must exist somewhere: in the
 * manifests or in LXD. The planner calls this with what LXD has; offline callers pass
 * empty sets and get the references the manifests alone cannot satisfy.
 */
import { LxplanError } from '../errors.js';
import type { Manifest } from '../resources/types.js';
import { didYouMean } from './hints.js';

export interface KnownNames {
  /** Profile names that exist in LXD. ("default" always exists in every project.) */
  profiles: Set<string>;
  /** Image aliases (and fingerprints) that exist in LXD. */
  images: Set<string>;
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
    if (!m.images[inst.image] && !knownImage(inst.image, known.images)) {
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
  return errors;
}
