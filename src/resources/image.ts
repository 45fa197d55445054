/**
 * Images, addressed by the alias the manifest gives them. An image's content is its
 * fingerprint, computed locally from the tarballs (image-files.ts), so the planner knows
 * without uploading whether LXD already has it. New content means a new image: the alias
 * moves to it and the old image goes (a replace). Instances made from the old image keep
 * running: LXD copies an image into each instance at creation.
 */
import type { LxdClient } from '../lxd/client.js';
import { isNotFound } from '../lxd/client.js';
import type { LxdImagePut } from '../lxd/requests.js';
import type { LxdImage, LxdImageAliasEntry } from '../lxd/types.js';
import { digestOf, field, found, listField } from './fields.js';
import { withImageTarballs } from './image-source.js';
import type { Fields, LiveImage, OpEvents, PlanContext, ResourceOps, ResourceSpec } from './spec.js';
import type { DesiredImage } from './types.js';

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

/** The extra aliases lxplan made for image `name` that point at `image`, sorted. */
export function liveExtraAliases(name: string, image: LxdImage): string[] {
  const marker = extraAliasDescription(name);
  return (image.aliases ?? []).filter((a) => a.name !== name && a.description === marker).map((a) => a.name).sort();
}

/** Settings fields (public, aliases, properties, auto_update): properties and auto_update only when the manifest manages them. */
function settingsFields(f: Fields, s: { public: boolean; aliases: string[]; properties?: Record<string, string>; autoUpdate?: boolean }): Fields {
  f.public = field(String(s.public));
  if (s.aliases.length > 0) f.aliases = listField([...s.aliases].sort());
  if (s.properties) for (const [k, v] of Object.entries(s.properties)) f[`properties.${k}`] = field(String(v));
  if (s.autoUpdate !== undefined) f.auto_update = field(String(s.autoUpdate));
  return f;
}

export const imageSpec: ResourceSpec<DesiredImage, LiveImage> = {
  kind: 'image',
  desired: (m) => m.images,
  live(s) {
    const out: Record<string, LiveImage> = {};
    for (const image of s.images) for (const a of image.aliases ?? []) out[a.name] = { alias: a.name, image };
    return out;
  },
  desiredFields(d) {
    const f: Fields = {};
    if (d.fingerprint) f.fingerprint = fingerprintField(d.fingerprint);
    return settingsFields(f, { public: d.public, aliases: d.aliases ?? [], properties: d.properties, autoUpdate: d.autoUpdate });
  },
  liveFields(l, _ctx: PlanContext, d) {
    const f: Fields = { fingerprint: fingerprintField(l.image.fingerprint) };
    return settingsFields(f, {
      public: l.image.public,
      aliases: liveExtraAliases(l.alias, l.image),
      properties: d?.properties ? { ...(l.image.properties ?? {}) } : undefined,
      autoUpdate: d?.autoUpdate !== undefined ? l.image.auto_update : undefined,
    });
  },
  fieldImpact: (path) => (path === 'fingerprint' ? { impact: 'replace', note: 'a new image: the alias moves to it; instances made from the old one keep running' } : { impact: 'live' }),
  refs: () => [],
  liveRefs: () => [],
  builtin: () => false,
  stateAttributes: () => ({}),
  digest: (l) => l.image.fingerprint,
};

function fingerprintOf(d: DesiredImage): string {
  if (!d.fingerprint) throw new Error(`image ${d.name}: fingerprint was not computed before apply`);
  return d.fingerprint;
}

async function findImage(client: LxdClient, fp: string): Promise<{ value: LxdImage; etag?: string } | undefined> {
  try {
    return await client.getImage(fp);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Uploads the image unless LXD already has these exact bytes; then its settings. */
async function ensureUploaded(client: LxdClient, d: DesiredImage, ev: OpEvents): Promise<string> {
  const fp = fingerprintOf(d);
  if (!(await findImage(client, fp))) {
    let lastShown = 0;
    const uploaded = await withImageTarballs(d, fp, (metadataPath, rootfsPath) => client.uploadSplitImage({
      metadataPath,
      rootfsPath,
      public: d.public,
      onProgress(sent, total) {
        const now = Date.now();
        if (now - lastShown > 1000 || sent === total) {
          lastShown = now;
          ev.progress(`uploading ${(sent / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
        }
      },
    }));
    if (uploaded !== fp) {
      throw new Error(`image ${d.name}: LXD computed fingerprint ${uploaded}, lxplan expected ${fp}`);
    }
  }
  await applySettings(client, fp, d);
  return fp;
}

/** The PUT body: what the manifest manages over what LXD has (PUT replaces every writable field). */
function settingsPut(current: LxdImage, d: DesiredImage): LxdImagePut {
  return { auto_update: d.autoUpdate ?? current.auto_update, properties: d.properties ?? current.properties ?? {}, public: d.public };
}

/** Sets public, properties and auto_update with one PUT (If-Match), when they differ. */
async function applySettings(client: LxdClient, fp: string, d: DesiredImage, verify?: OpEvents['verify']): Promise<void> {
  const { value, etag } = await client.getImage(fp);
  verify?.({ alias: d.name, image: value });
  const want = settingsPut(value, d);
  const have = { auto_update: value.auto_update, properties: value.properties ?? {}, public: value.public };
  if (digestOf(want) !== digestOf(have)) await client.updateImage(fp, want, etag);
}

/**
 * Makes the extra aliases (`aliases:`) point at `fp`: creates missing ones, moves lxplan's own
 * from an older image, adopts one already on `fp`; an alias of another image that lxplan did
 * not make is never taken. Then removes lxplan's extra aliases of `fp` the manifest dropped.
 */
async function syncExtraAliases(client: LxdClient, d: DesiredImage, fp: string): Promise<void> {
  const marker = extraAliasDescription(d.name);
  const want = d.aliases ?? [];
  for (const a of want) {
    let existing: { value: LxdImageAliasEntry; etag?: string } | undefined;
    try {
      existing = await client.getImageAlias(a);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!existing) {
      await client.createImageAlias(a, fp, marker);
      continue;
    }
    if (existing.value.target === fp && existing.value.description === marker) continue;
    if (existing.value.target !== fp && existing.value.description !== marker) {
      throw new Error(`image ${d.name}: alias "${a}" already exists in LXD for image ${existing.value.target.slice(0, 12)}, which lxplan did not make: remove it there, or drop it from aliases:`);
    }
    await client.updateImageAlias(a, fp, existing.etag, marker);
  }
  await removeExtraAliases(client, d.name, fp, new Set(want));
}

/** Deletes lxplan's extra aliases of image `name` on `fp`, except those in `keep`. */
async function removeExtraAliases(client: LxdClient, name: string, fp: string, keep: Set<string>): Promise<void> {
  const found = await findImage(client, fp);
  if (!found) return;
  for (const a of liveExtraAliases(name, found.value)) {
    if (keep.has(a)) continue;
    try {
      await client.deleteImageAlias(a);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** Deletes an image once no alias points at it any more. */
async function deleteIfUnaliased(client: LxdClient, fp: string): Promise<void> {
  const found = await findImage(client, fp);
  if (found && (found.value.aliases ?? []).length === 0) {
    try {
      await client.deleteImage(fp);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export const imageOps: ResourceOps<DesiredImage> = {
  exists: (client, name) => found(() => client.getImageAlias(name), isNotFound),
  async create(client, d, ev) {
    const fp = await ensureUploaded(client, d, ev);
    await client.createImageAlias(d.name, fp);
    await syncExtraAliases(client, d, fp);
  },
  async update(client, d, ev) {
    // The image the alias points at (what the plan compared), not a fingerprint computed again.
    const fp = (await client.getImageAlias(d.name)).value.target;
    await applySettings(client, fp, d, ev.verify);
    await syncExtraAliases(client, d, fp);
  },
  async replace(client, d, ev) {
    const fp = await ensureUploaded(client, d, ev);
    const { value: alias, etag } = await client.getImageAlias(d.name);
    ev.verify?.({ alias: d.name, image: { fingerprint: alias.target } });
    await client.updateImageAlias(d.name, fp, etag);
    await syncExtraAliases(client, d, fp);
    if (alias.target !== fp) {
      await removeExtraAliases(client, d.name, alias.target, new Set());
      await deleteIfUnaliased(client, alias.target);
    }
  },
  async delete(client, name, ev) {
    let target: string;
    try {
      target = (await client.getImageAlias(name)).value.target;
      ev.verify?.({ alias: name, image: { fingerprint: target } });
      await client.deleteImageAlias(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await removeExtraAliases(client, name, target, new Set());
    await deleteIfUnaliased(client, target);
  },
};
