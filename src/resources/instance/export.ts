/**
 * How an instance is exported (lxplan export): its image by the alias LXD has for it (or its
 * fingerprint), its config as a user would write it, its snapshots as its `snapshots:` list; on
 * import, the image LXD recorded it was made from (volatile.base_image) is recorded with it.
 */
import type { LxdInstance } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { splitConfig } from '../export-config.js';
import { extraAliasOwner } from '../image/spec.js';
import type { LiveSnapshot } from '../spec.js';
import { parseBool } from '../units.js';

function imageRef(inst: LxdInstance, live: LiveSnapshot): string {
  const base = inst.config['volatile.base_image'] ?? '';
  // The image's own alias, not an extra alias lxplan made for it (that one is part of the image).
  const image = live.images.find((i) => i.fingerprint === base);
  return image?.aliases?.find((a) => extraAliasOwner(a, image) === undefined)?.name ?? base;
}

/** The manifest key an instance's config key is written as, when it has one (`protect: true`). */
const PROTECT_KEY = 'security.protection.delete';

function instanceManifest(inst: LxdInstance, live: LiveSnapshot): Record<string, unknown> {
  // `protect: true` is how a manifest says security.protection.delete=true (normalise.ts).
  const protect = parseBool(inst.config[PROTECT_KEY] ?? '') === true;
  const config = protect ? Object.fromEntries(Object.entries(inst.config).filter(([k]) => k !== PROTECT_KEY)) : inst.config;
  return {
    image: imageRef(inst, live),
    ...(inst.type !== 'container' ? { type: inst.type } : {}),
    ...(inst.description ? { description: inst.description } : {}),
    ...(inst.ephemeral ? { ephemeral: true } : {}),
    ...(protect ? { protect: true } : {}),
    profiles: inst.profiles,
    ...splitConfig(config),
    ...(Object.keys(inst.devices).length ? { devices: inst.devices } : {}),
    // On a cluster: the member it is on, so that applying the export keeps it there.
    ...(live.cluster && inst.location ? { target: inst.location } : {}),
    state: inst.status.toLowerCase() === 'stopped' ? 'stopped' : inst.status.toLowerCase() === 'frozen' ? 'frozen' : 'running',
  };
}

export const instanceExport: KindExport<LxdInstance> = {
  section: 'instances',
  entry(i, live) {
    const snaps = Object.values(live.snapshots ?? {})
      .filter((s) => s.instance === i.name)
      .map((s) => s.name)
      .sort();
    return { ...instanceManifest(i, live), ...(snaps.length ? { snapshots: snaps } : {}) };
  },
  byName: true,
  // What LXD shows the instance was made from (a copy's source cannot be seen: it is taken as declared).
  importAttributes: (fields): Record<string, string> => (fields.image ? { image: fields.image.display } : {}),
};
