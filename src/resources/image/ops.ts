/**
 * Image operations: upload, copy, publish, settings and aliases (the executor runs them; the plan is in spec.ts).
 */
import type { LxdClient } from '../../lxd/client.js';
import { isNotFound } from '../../lxd/client.js';
import { pullImage, type RemoteProtocol } from '../../lxd/remote.js';
import type { LxdImagePut } from '../../lxd/requests.js';
import type { LxdImage, LxdImageAliasEntry } from '../../lxd/types.js';
import { digestOf, found } from '../fields.js';
import { withImageTarballs } from './source.js';
import type { OpEvents, OpResult, ResourceOps } from '../spec.js';
import { isPublishedSource, isRemoteSource, type DesiredImage, type PublishedImageSource, type RemoteImageSource } from '../types.js';
import { extraAliasDescription, liveExtraAliases } from './spec.js';

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

/** Has the local daemon pull a remote's image (unless it has the planned one already); then its settings. */
async function ensureCopied(client: LxdClient, d: DesiredImage, s: RemoteImageSource, ev: OpEvents): Promise<string> {
  const follow = d.autoUpdate === true && s.alias !== undefined;
  // (Following an alias, the pull is what records it: never skipped.)
  if (!follow && d.fingerprint && (await findImage(client, d.fingerprint))) {
    await applySettings(client, d.fingerprint, d);
    return d.fingerprint;
  }
  ev.progress(`copying from remote ${s.remote} (${s.server})`);
  // A daemon remote's protocol in the pulling daemon's words: Incus 6.0 calls LXD's API "incus",
  // and refuses "lxd" when it records where an auto_update image came from ("Invalid protocol: lxd").
  const protocol: RemoteProtocol = s.protocol === 'lxd' && (await client.daemon()).kind === 'incus' ? 'incus' : s.protocol;
  const remote = { name: s.remote, url: s.server, protocol, ...(s.certificate ? { certificate: s.certificate } : {}) };
  // Without auto_update, the fingerprint the plan showed is what is pulled (the alias may have
  // moved since). With auto_update, the alias alone: LXD 5.0 records where an image came from
  // (update_source, what auto_update follows) only for a pull by alias, not when a fingerprint
  // is given too (checked on this machine); the image is then whatever the alias names now.
  const got = await pullImage(client, {
    remote,
    alias: s.alias,
    fingerprint: follow ? undefined : (d.fingerprint ?? s.fingerprint),
    public: d.public,
    autoUpdate: d.autoUpdate ?? false,
  });
  const fp = got ?? (follow ? undefined : d.fingerprint);
  if (!fp) throw new Error(`image ${d.name}: LXD copied it from remote "${s.remote}" without saying its fingerprint`);
  if (!follow && d.fingerprint && fp !== d.fingerprint)
    throw new Error(`image ${d.name}: LXD copied ${fp.slice(0, 12)} from remote "${s.remote}", the plan has ${d.fingerprint.slice(0, 12)}`);
  if (follow && !(await findImage(client, fp))?.value.update_source?.alias) {
    // LXD records the alias to follow only when the pull downloads the image: one it had already
    // (same bytes under another alias) is left without.
    ev.notice?.(
      `image ${d.name}: LXD had these bytes already (${fp.slice(0, 12)}) and did not record alias "${s.alias}" of remote "${s.remote}" to follow: auto_update will not refresh it`,
    );
  }
  await applySettings(client, fp, d);
  return fp;
}

/** Publishes the image from its instance or snapshot (always a new image); then its settings. */
async function publish(client: LxdClient, d: DesiredImage, s: PublishedImageSource, ev: OpEvents): Promise<string> {
  const name = s.snapshot !== undefined ? `${s.instance}/${s.snapshot}` : s.instance;
  ev.progress(`publishing from ${s.snapshot !== undefined ? 'snapshot' : 'instance'} ${name}`);
  let fp: string;
  try {
    fp = await client.publishImage({ type: s.snapshot !== undefined ? 'snapshot' : 'instance', name }, { public: d.public });
  } catch (e) {
    // The same files published within the same second give the same bytes (LXD writes the
    // publish time, in seconds, into metadata.yaml; seen here with two snapshots of an unchanged
    // container), and LXD refuses the duplicate: that image is the one the source names.
    const same = /The image already exists: ([0-9a-f]{64})/.exec((e as Error).message ?? '');
    if (!same) throw e;
    fp = same[1];
  }
  await applySettings(client, fp, d);
  return fp;
}

/** Uploads, copies or publishes the image (unless LXD already has these exact bytes); then its settings. */
async function ensureUploaded(client: LxdClient, d: DesiredImage, ev: OpEvents): Promise<string> {
  if (isRemoteSource(d.source)) return ensureCopied(client, d, d.source, ev);
  if (isPublishedSource(d.source)) return publish(client, d, d.source, ev);
  const fp = fingerprintOf(d);
  if (!(await findImage(client, fp))) {
    let lastShown = 0;
    const uploaded = await withImageTarballs(d, fp, (metadataPath, rootfsPath) =>
      client.uploadSplitImage({
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
      }),
    );
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
      throw new Error(
        `image ${d.name}: alias "${a}" already exists in LXD for image ${existing.value.target.slice(0, 12)}, which lxplan did not make: remove it there, or drop it from aliases:`,
      );
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

/**
 * An image whose fingerprint was not known when planning (published, or copied from a
 * simplestreams server), or a copy that followed its alias (auto_update), gets the one LXD made:
 * the operation returns it and the executor records it in the state entry, so the state holds
 * the image LXD actually made.
 */
function learnedFingerprint(d: DesiredImage, fp: string): OpResult {
  return !d.fingerprint || isRemoteSource(d.source) ? { fingerprint: fp } : {};
}

export const imageOps: ResourceOps<DesiredImage> = {
  exists: (client, name) => found(() => client.getImageAlias(name), isNotFound),
  async create(client, d, ev) {
    const fp = await ensureUploaded(client, d, ev);
    await client.createImageAlias(d.name, fp);
    await syncExtraAliases(client, d, fp);
    return learnedFingerprint(d, fp);
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
    if (ev.verify) ev.verify({ alias: d.name, image: (await client.getImage(alias.target)).value });
    await client.updateImageAlias(d.name, fp, etag);
    await syncExtraAliases(client, d, fp);
    if (alias.target !== fp) {
      await removeExtraAliases(client, d.name, alias.target, new Set());
      await deleteIfUnaliased(client, alias.target);
    }
    return learnedFingerprint(d, fp);
  },
  // A new key for the same image: the alias named by the new key is made (or, when it was one of
  // the old key's extra aliases, becomes the name), the extra aliases follow, the old alias goes
  // (or stays as an extra alias when aliases: lists it). The image itself is never deleted.
  async rename(client, from, d, ev) {
    const { value: old } = await client.getImageAlias(from);
    const fp = old.target;
    if (ev.verify) ev.verify({ alias: from, image: (await client.getImage(fp)).value });
    let taken: { value: LxdImageAliasEntry; etag?: string } | undefined;
    try {
      taken = await client.getImageAlias(d.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!taken) await client.createImageAlias(d.name, fp);
    else if (taken.value.target !== fp || (taken.value.description !== extraAliasDescription(from) && taken.value.description !== '')) {
      throw new Error(
        `image ${d.name}: alias "${d.name}" already exists in LXD for image ${taken.value.target.slice(0, 12)}, which lxplan did not make: remove it there, or keep the key "${from}"`,
      );
    } else if (taken.value.description !== '') await client.updateImageAlias(d.name, fp, taken.etag);
    await syncExtraAliases(client, d, fp);
    await removeExtraAliases(client, from, fp, new Set());
    if (!(d.aliases ?? []).includes(from)) {
      try {
        await client.deleteImageAlias(from);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await applySettings(client, fp, d);
  },
  async delete(client, name, ev) {
    let target: string;
    try {
      target = (await client.getImageAlias(name)).value.target;
      if (ev.verify) ev.verify({ alias: name, image: (await client.getImage(target)).value });
      await client.deleteImageAlias(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await removeExtraAliases(client, name, target, new Set());
    await deleteIfUnaliased(client, target);
  },
};
