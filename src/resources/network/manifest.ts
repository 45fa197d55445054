/** How `networks:` is read from the manifests (src/manifest/kind.ts). */
import type { KindManifest } from '../../manifest/kind.js';
import { networkKeyProblem } from './config-keys.js';
import type { DesiredNetwork, NetworkType } from './types.js';

/** LXD 5.0.2: host interface names, 2 to 15 characters of letters, digits, "-", "_", ".". */
function networkNameProblem(name: string): string | null {
  if (name.length === 0) return 'invalid network name "": names must not be empty';
  if (name.length < 2 || name.length > 15) return `invalid network name "${name}": network names are 2 to 15 characters long (they become interface names)`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `invalid network name "${name}": network names may contain only ASCII letters, digits, "-", "_" and "."`;
  return null;
}

export const networkManifest: KindManifest<DesiredNetwork> = {
  section: 'networks',
  normalise(r, name, at) {
    const type = (r.text('type') ?? 'bridge') as NetworkType;
    const description = r.text('description') ?? '';
    const nodes = new Map();
    const config = r.plainConfig(nodes);
    r.checkKeys({ kind: 'network', type }, config, nodes);
    return { kind: 'network', name, at, keyAt: r.keyAt, type, description, config, ...r.sensitive() };
  },
  store(m, objects) {
    m.networks = objects;
  },
  nameProblem: networkNameProblem,
  referenced: { known: 'networks', word: 'network', hint: 'define it under networks:, or create it in LXD first' },
  configKeyProblem: networkKeyProblem,
  envConfig: true,
};
