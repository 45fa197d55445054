/** How a storage pool is exported (lxplan export): driver, description, own config. */
import type { LxdStoragePool } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { ownConfig } from '../export-config.js';

export const storagePoolExport: KindExport<LxdStoragePool> = {
  section: 'storage_pools',
  entry: (p) => ({ driver: p.driver, ...(p.description ? { description: p.description } : {}), ...ownConfig(p.config) }),
};
