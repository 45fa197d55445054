/** How `storage_pools:` is read from the manifests (src/manifest/kind.ts). */
import type { Node } from 'yaml';
import type { KindManifest } from '../../manifest/kind.js';
import { plainNameProblem } from '../../manifest/names.js';
import { poolKeyProblem } from './config-keys.js';
import type { DesiredStoragePool, StorageDriver } from './types.js';

export const storagePoolManifest: KindManifest<DesiredStoragePool> = {
  section: 'storage_pools',
  normalise(r, name, at) {
    const driver = (r.text('driver') ?? '') as StorageDriver;
    const description = r.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = r.plainConfig(nodes);
    r.checkKeys({ kind: 'storage_pool', driver }, config, nodes);
    return { kind: 'storage_pool', name, at, keyAt: r.keyAt, driver, description, config, ...r.sensitive() };
  },
  store(m, objects) {
    m.storagePools = objects;
  },
  // Pools end up in paths: "." and ".." are refused here.
  nameProblem: (name) =>
    plainNameProblem('storage pool name', name) ?? (name === '.' || name === '..' ? `invalid storage pool name "${name}": "." and ".." are not names` : null),
  referenced: { known: 'storagePools', word: 'storage pool', hint: 'define it under storage_pools:, or create it in LXD first' },
  configKeyProblem: poolKeyProblem,
  envConfig: true,
};
