/**
 * Images, addressed by the alias the manifest gives them. An image's content is its
 * fingerprint: computed locally from the tarballs or the packed directory (image-source.ts), or
 * read on the remote server it is copied from (src/lxd/remote.ts), so the planner knows without
 * uploading whether LXD already has it. New content means a new image: the alias moves to it and
 * the old image goes (a replace). Instances made from the old image keep running: LXD copies an
 * image into each instance at creation. An image published from an instance has no fingerprint
 * before it exists: its source (recorded in the state) is what is compared.
 */
import type { LxdImage, LxdImageAlias } from '../../lxd/types.js';
import { digestOf, field, listField } from '../fields.js';
import { desiredProjectOf, liveProjectOf } from '../object-project.js';
import type { Fields, PlanContext, ResourceSpec } from '../spec.js';
import type { LiveImage } from './types.js';
import { aliasOfFingerprint, declaredImageAddress, referableImages, resolveImageRef } from './refs.js';
import { addressOf, isPublishedSource, isRemoteSource, type DesiredImage } from '../types.js';

function fingerprintField(fp: string) {
  return field(fp.slice(0, 12), fp);
}

/**
 * The description lxplan gives the extra aliases (`aliases:`) it makes for an image: it is how
 * lxplan tells them from aliases someone else put on the same image, which it leaves alone.
 */
export function extraAliasDescription(name: string): string {
  return `lxplan: alias of image ${name}`;
}

/**
 * The image whose extra alias `alias` is, when lxplan made it for another alias of the same LXD
 * image (its description names that one): such an alias is part of that image everywhere, never
 * an image of its own.
 */
export function extraAliasOwner(alias: LxdImageAlias, image: LxdImage): string | undefined {
  const prefix = extraAliasDescription('');
  if (!alias.description?.startsWith(prefix)) return undefined;
  const owner = alias.description.slice(prefix.length);
  return owner !== alias.name && (image.aliases ?? []).some((a) => a.name === owner) ? owner : undefined;
}

/** The extra aliases lxplan made for image `name` that point at `image`, sorted. */
export function liveExtraAliases(name: string, image: LxdImage): string[] {
  const marker = extraAliasDescription(name);
  return (image.aliases ?? [])
    .filter((a) => a.name !== name && a.description === marker)
    .map((a) => a.name)
    .sort();
}

/** Settings fields (public, aliases, properties, auto_update): properties and auto_update only when the manifest manages them. */
function settingsFields(f: Fields, s: { public: boolean; aliases: string[]; properties?: Record<string, string>; autoUpdate?: boolean }): Fields {
  f.public = field(String(s.public));
  if (s.aliases.length > 0) f.aliases = listField([...s.aliases].sort());
  if (s.properties) for (const [k, v] of Object.entries(s.properties)) f[`properties.${k}`] = field(String(v));
  if (s.autoUpdate !== undefined) f.auto_update = field(String(s.autoUpdate));
  return f;
}

/** "lab:busybox" for an image copied from a remote (the alias, or the fingerprint as written), "snapshot base/clean" for one published; undefined for local images. */
export function sourceText(d: DesiredImage): string | undefined {
  const s = d.source;
  if (isPublishedSource(s)) return s.snapshot !== undefined ? `snapshot ${s.instance}/${s.snapshot}` : `instance ${s.instance}`;
  return isRemoteSource(s) ? `${s.remote}:${s.alias ?? s.fingerprint}` : undefined;
}

/** How a plan names the source of an image that came from local tarballs or a directory, when the manifest now names another. */
const LOCAL_FILES = 'local files';

/**
 * Whether the fingerprint is compared: always for local images; for a remote copy unless LXD
 * follows the alias itself (auto_update: true), when a moved alias is LXD's to catch up with.
 */
function comparesFingerprint(d: DesiredImage): boolean {
  return !(isRemoteSource(d.source) && d.autoUpdate === true);
}

export const imageSpec: ResourceSpec<DesiredImage, LiveImage> = {
  kind: 'image',
  desired: (m) => m.images,
  // One per alias, except the extra aliases lxplan made for another alias of the same image.
  live(s) {
    const out: Record<string, LiveImage> = {};
    for (const image of s.images) for (const a of image.aliases ?? []) if (extraAliasOwner(a, image) === undefined) out[a.name] = { alias: a.name, image };
    return out;
  },
  desiredFields(d) {
    const f: Fields = {};
    const source = sourceText(d);
    if (source !== undefined) f.source = field(source);
    if (d.fingerprint && comparesFingerprint(d)) f.fingerprint = fingerprintField(d.fingerprint);
    return settingsFields(f, { public: d.public, aliases: d.aliases ?? [], properties: d.properties, autoUpdate: d.autoUpdate });
  },
  liveFields(l, ctx: PlanContext, d) {
    const f: Fields = {};
    if (d && sourceText(d) !== undefined) {
      // Where a copy came from is not in LXD's image object: the state records it. An image lxplan
      // manages without that record came from local files (tarballs or a directory).
      const entry = ctx.state.resources[addressOf('image', l.alias)];
      f.source = field(entry ? (entry.attributes?.source ?? LOCAL_FILES) : sourceText(d)!);
    }
    if (!d || (d.fingerprint && comparesFingerprint(d))) f.fingerprint = fingerprintField(l.image.fingerprint);
    return settingsFields(f, {
      public: l.image.public,
      // (Renamed to one of its extra aliases: that one becomes the name.)
      aliases: liveExtraAliases(l.alias, l.image).filter((a) => a !== d?.name),
      properties: d?.properties ? { ...(l.image.properties ?? {}) } : undefined,
      autoUpdate: d?.autoUpdate !== undefined ? l.image.auto_update : undefined,
    });
  },
  fieldImpact(path, _l, d) {
    if (path === 'fingerprint') {
      return {
        impact: 'replace',
        note: isRemoteSource(d.source)
          ? `the image the source names on remote "${d.source.remote}" changed: a new copy, the alias moves to it; instances made from the old one keep running`
          : 'a new image: the alias moves to it; instances made from the old one keep running',
      };
    }
    if (path === 'source') return { impact: 'replace', note: 'another source: a new image, the alias moves to it' };
    return { impact: 'live' };
  },
  fieldNote(path, d, ctx) {
    if (path === 'source' && isPublishedSource(d.source)) return 'published when applied: LXD gives it its fingerprint then';
    if (path === 'auto_update' && d.autoUpdate === true && !isRemoteSource(d.source))
      return 'LXD refreshes only images copied from a remote server: this one has nothing to follow';
    if (path === 'aliases') {
      // An extra alias another image holds, that lxplan did not make for this one: lxapply refuses to take it.
      const marker = extraAliasDescription(d.name);
      const taken = (d.aliases ?? []).filter((a) =>
        ctx.live.images.some((i) => i.aliases?.some((x) => x.name === a && x.description !== marker) && i.fingerprint !== d.fingerprint),
      );
      if (taken.length > 0)
        return `${taken.map((a) => `"${a}"`).join(', ')} already ${taken.length > 1 ? 'name other images' : 'names another image'} in LXD, not made by lxplan for this one: lxapply will refuse to take ${taken.length > 1 ? 'them' : 'it'}`;
    }
    return undefined;
  },
  // A published image is made after the instance and the snapshot it comes from.
  refs: (d) => {
    const s = d.source;
    if (!isPublishedSource(s)) return [];
    return [addressOf('instance', s.instance), ...(s.snapshot !== undefined ? [addressOf('snapshot', `${s.instance}/${s.snapshot}`)] : [])];
  },
  liveRefs: () => [],
  // Instances made from this image go first: those lxplan made from its alias (the state records
  // an instance's image reference), and those LXD says come from these bytes (volatile.base_image;
  // after a replace, instances made before it name the older image there).
  deleteAfter: (l, ctx) => {
    const out = new Set<string>();
    for (const e of Object.values(ctx.state.resources)) if (e.kind === 'instance' && e.attributes?.image === l.alias) out.add(addressOf('instance', e.name));
    for (const i of Object.values(ctx.live.instances)) if (i.config?.['volatile.base_image'] === l.image.fingerprint) out.add(addressOf('instance', i.name));
    return [...out].sort();
  },
  builtin: () => false,
  // Its bytes and every alias it has or will have: an image deleted and one created with the same
  // fingerprint, or an alias one image lets go of and another takes, are never changed at once.
  identities(l, d) {
    const out: string[] = [];
    if (l) out.push(`fingerprint ${l.image.fingerprint}`, `alias ${l.alias}`, ...liveExtraAliases(l.alias, l.image).map((a) => `alias ${a}`));
    if (d) out.push(...(d.fingerprint ? [`fingerprint ${d.fingerprint}`] : []), `alias ${d.name}`, ...(d.aliases ?? []).map((a) => `alias ${a}`));
    return out;
  },
  // A key changed with the same bytes: the image lxplan made under the old key, in the same
  // project and gone from the manifests, is this one (its alias moves; nothing is uploaded or deleted).
  impliedRename(d, ctx) {
    if (!d.fingerprint) return undefined;
    const live = imageSpec.live(ctx.live);
    const project = desiredProjectOf(d, ctx.manifest);
    return Object.values(ctx.state.resources)
      .filter(
        (e) =>
          e.kind === 'image' &&
          !ctx.manifest.images[e.name] &&
          live[e.name]?.image.fingerprint === d.fingerprint &&
          liveProjectOf('image', e.name, ctx.manifest, ctx.state) === project,
      )
      .map((e) => e.name)
      .sort()[0];
  },
  // A rename: the record is the old key's (its extra aliases then include the new key).
  inRecordTerms: (d, entry) => (entry.name !== d.name ? { ...d, name: entry.name } : d),
  stateAttributes(d): Record<string, string> {
    const source = sourceText(d);
    return source !== undefined ? { source } : {};
  },
  // What lxplan manages of it: a saved plan's change is refused when someone changed any of it since.
  digest: (l) =>
    digestOf({
      fingerprint: l.image.fingerprint,
      public: l.image.public,
      properties: l.image.properties ?? {},
      auto_update: l.image.auto_update,
      aliases: liveExtraAliases(l.alias, l.image),
    }),
  // --- planner hooks ---
  recordedFingerprint: (d) => d.fingerprint,
  planContext: (ctx) => ({ resolveImage: (ref, project) => resolveImageRef(ctx, ref, project), aliasOf: (fp) => aliasOfFingerprint(ctx, fp) }),
  referencedAs: declaredImageAddress,
  referableNames: referableImages,
};
