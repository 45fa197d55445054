/**
 * Images, addressed by the alias the manifest gives them. An image's content is its
 * fingerprint, computed locally from the tarballs (image-files.ts), so the planner knows
 * without uploading whether LXD already has it. New content means a new image: the alias
 * moves to it and the old image goes (a replace). Instances made from the old image keep
 * running: LXD copies an image into each instance at creation.
 */
import type { LxdClient } from '../lxd/client.js';
import { isNotFound } from '../lxd/client.js';
import type { LxdImage } from '../lxd/types.js';
import { field, found } from './fields.js';
import type { Fields, LiveImage, OpEvents, ResourceOps, ResourceSpec } from './spec.js';
import type { DesiredImage } from './types.js';

function fingerprintField(fp: string) {
  return field(fp.slice(0, 12), fp);
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
    const f: Fields = { public: field(String(d.public)) };
    if (d.fingerprint) f.fingerprint = fingerprintField(d.fingerprint);
    return f;
  },
  liveFields(l) {
    return { fingerprint: fingerprintField(l.image.fingerprint), public: field(String(l.image.public)) };
  },
  fieldImpact: (path) => ({ impact: path === 'fingerprint' ? 'replace' : 'live' }),
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

/** Uploads the image unless LXD already has these exact bytes. */
async function ensureUploaded(client: LxdClient, d: DesiredImage, ev: OpEvents): Promise<string> {
  const fp = fingerprintOf(d);
  const found = await findImage(client, fp);
  if (found) {
    if (found.value.public !== d.public) await client.updateImage(fp, { ...writable(found.value), public: d.public }, found.etag);
    return fp;
  }
  let lastShown = 0;
  const uploaded = await client.uploadSplitImage({
    metadataPath: d.source.metadata,
    rootfsPath: d.source.rootfs,
    public: d.public,
    onProgress(sent, total) {
      const now = Date.now();
      if (now - lastShown > 1000 || sent === total) {
        lastShown = now;
        ev.progress(`uploading ${(sent / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
      }
    },
  });
  if (uploaded !== fp) {
    throw new Error(`image ${d.name}: LXD computed fingerprint ${uploaded}, lxplan expected ${fp}`);
  }
  return fp;
}

function writable(i: LxdImage) {
  return { auto_update: i.auto_update, properties: i.properties, public: i.public };
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
  },
  async update(client, d, ev) {
    const fp = fingerprintOf(d);
    const { value, etag } = await client.getImage(fp);
    ev.verify?.({ alias: d.name, image: value });
    await client.updateImage(fp, { ...writable(value), public: d.public }, etag);
  },
  async replace(client, d, ev) {
    const fp = await ensureUploaded(client, d, ev);
    const { value: alias, etag } = await client.getImageAlias(d.name);
    ev.verify?.({ alias: d.name, image: { fingerprint: alias.target } });
    await client.updateImageAlias(d.name, fp, etag);
    if (alias.target !== fp) await deleteIfUnaliased(client, alias.target);
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
    await deleteIfUnaliased(client, target);
  },
};
