/** --target: only the named objects, and what they depend on (so a create has its image and profiles). */
import { LxplanError } from '../errors.js';
import type { ResourceChange } from './plan.js';

export function selectTargets(changes: ResourceChange[], targets: string[]): ResourceChange[] {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const keep = new Set<string>();
  const visit = (address: string) => {
    if (keep.has(address)) return;
    keep.add(address);
    for (const dep of byAddress.get(address)?.dependsOn ?? []) visit(dep);
  };
  for (const t of targets) {
    const matches = changes.filter((c) => c.address === t || c.name === t);
    if (matches.length === 0) {
      throw new LxplanError('usage', `--target ${t}: no object of that name in the manifests or the state`, {
        hint: 'name an object as KIND.NAME (instance.web-1, profile.small, image.busybox) or by its name alone',
      });
    }
    for (const m of matches) visit(m.address);
  }
  return changes.filter((c) => keep.has(c.address));
}
