/** How a custom volume is exported (lxplan export), as "POOL/VOLUME": content type (filesystem is the default), description, own config. */
import type { LxdStorageVolume } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { ownConfig } from '../export-config.js';

export const storageVolumeExport: KindExport<LxdStorageVolume> = {
  section: 'storage_volumes',
  entry: (v) => ({
    ...(v.content_type === 'block' ? { content_type: 'block' } : {}),
    ...(v.description ? { description: v.description } : {}),
    ...ownConfig(v.config),
  }),
};
