/** How `storage_pools:` is read from the manifests (src/manifest/kind.ts). */
import type { Node } from 'yaml';
import { scalarText, type EntryReader } from '../../manifest/entry.js';
import type { ConfigMap } from '../../lxd/types.js';
import type { KindManifest } from '../../manifest/kind.js';
import { plainNameProblem } from '../../manifest/names.js';
import { poolKeyProblem } from './config-keys.js';
import type { DesiredStoragePool, StorageDriver } from './types.js';

/** `members: {m1: {source: /x}}`: each member's own keys (which keys: the schema, from members.ts's list), their places kept as keyAt["members.<m>.<key>"]. */
function readMembers(r: EntryReader): Record<string, ConfigMap> | undefined {
  const f = r.fields.get('members');
  if (!f) return undefined;
  r.keyAt.members = r.loc(f.keyNode);
  const out: Record<string, ConfigMap> = {};
  for (const m of r.pairs(f.value)) {
    r.keyAt[`members.${m.key}`] = r.loc(m.keyNode);
    const config: ConfigMap = {};
    for (const p of r.pairs(m.value)) {
      const v = scalarText(p.value);
      if (v === undefined) continue; // the schema reports it
      config[p.key] = v;
      r.keyAt[`members.${m.key}.${p.key}`] = r.loc(p.keyNode);
    }
    out[m.key] = config;
  }
  return out;
}

export const storagePoolManifest: KindManifest<DesiredStoragePool> = {
  section: 'storage_pools',
  normalise(r, name, at) {
    const driver = (r.text('driver') ?? '') as StorageDriver;
    const description = r.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = r.plainConfig(nodes);
    r.checkKeys({ kind: 'storage_pool', driver }, config, nodes);
    const members = readMembers(r);
    return { kind: 'storage_pool', name, at, keyAt: r.keyAt, driver, description, config, ...(members ? { members } : {}), ...r.sensitive() };
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
