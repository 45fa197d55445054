/**
 * One alias, one image: in a project, LXD's alias names exactly one image, so two image
 * declarations that claim the same alias (the key of one and an `aliases:` entry of another, or
 * an `aliases:` entry of both) could never both hold: every apply would move the alias back and
 * forth, and a destroy would delete the shared image twice. Refused when the manifests are
 * loaded, naming both declarations.
 */
import { LxplanError, type SourceLocation } from '../../errors.js';
import { formatLocation } from '../../manifest/parse.js';
import type { Manifest } from '../types.js';

interface Claim {
  image: string;
  at: SourceLocation;
  how: string;
}

export function checkImageAliasClaims(m: Manifest): LxplanError[] {
  const errors: LxplanError[] = [];
  const claims = new Map<string, Claim>();
  const images = Object.values(m.images);
  // Keys first: a key is the image's own name, an aliases: entry the one that clashes with it.
  const all = [
    ...images.map((d) => ({ d, alias: d.name, claim: { image: d.name, at: d.at, how: 'its key' } })),
    ...images.flatMap((d) =>
      (d.aliases ?? []).map((alias, i) => ({
        d,
        alias,
        claim: { image: d.name, at: d.keyAt?.[`aliases.${i}`] ?? d.keyAt?.aliases ?? d.at, how: 'in its aliases:' },
      })),
    ),
  ];
  for (const { d, alias, claim } of all) {
    const key = `${d.project ?? m.project ?? 'default'}\u0000${alias}`;
    const prev = claims.get(key);
    if (!prev) {
      claims.set(key, claim);
      continue;
    }
    if (prev.image === claim.image) continue;
    errors.push(
      new LxplanError(
        'manifest.duplicate',
        `alias "${alias}" is claimed by two images: image "${prev.image}" (${prev.how}, at ${formatLocation(prev.at)}) and image "${claim.image}" (${claim.how}, at ${formatLocation(claim.at)})`,
        { location: claim.at, hint: 'an alias names one image in LXD: keep it on one of them' },
      ),
    );
  }
  return errors;
}
