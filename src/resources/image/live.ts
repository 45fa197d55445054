/**
 * How images are read from LXD: one list (recursion=1); in the project with features.images, else
 * in the default project. An image may live in another project than the scope (`project:`): it is
 * named by its alias there. Before a plan, the fingerprint of each image made from local files is
 * computed from them (image-source.ts).
 */
import type { LiveKind } from '../live-kind.js';
import { localImageFingerprint } from './source.js';

export const imageLive: LiveKind = {
  where: 'features.images',
  read: async (r) => ({ images: await r.client.listImages() }),
  none: () => ({ images: [] }),
  perObjectProject: {
    has: (s, name) => s.images.some((i) => (i.aliases ?? []).some((a) => a.name === name)),
    // Images are named by alias: the scope's image loses the alias, the other project's image carrying it is added.
    takeFrom(live, there, aliases) {
      if (aliases.size === 0) return live;
      const images = live.images.map((i) => ({ ...i, aliases: (i.aliases ?? []).filter((a) => !aliases.has(a.name)) }));
      return { ...live, images: [...images, ...(there?.images ?? []).filter((i) => (i.aliases ?? []).some((a) => aliases.has(a.name)))] };
    },
  },
  // The fingerprint LXD will give each local image: its tarballs hashed, or its directory packed and hashed.
  async prepare(m) {
    await Promise.all(
      Object.values(m.images).map(async (img) => {
        img.fingerprint = await localImageFingerprint(img);
      }),
    );
  },
};
