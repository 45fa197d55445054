/** How `server:` (the LXD server's own config: one object) is read from the manifests (src/manifest/kind.ts). */
import type { KindManifest } from '../../manifest/kind.js';
import { serverKeyProblem } from './config-keys.js';
import { SERVER_NAME, serverSecretKeys, validateServerValue } from './spec.js';
import type { DesiredServer } from './types.js';

export const serverManifest: KindManifest<DesiredServer> = {
  section: 'server',
  single: { name: SERVER_NAME },
  /** `server: {config: ...}`: the server's keys, with cheap value checks (integers, booleans). */
  normalise(r, _name, at) {
    const nodes = new Map();
    const config = r.plainConfig(nodes);
    for (const [k, v] of Object.entries(config)) {
      const problem = validateServerValue(k, v);
      if (problem) r.valueError(problem, nodes.get(k) ?? null);
    }
    r.checkKeys({ kind: 'server' }, config, nodes, 'the server');
    const secret = serverSecretKeys(config);
    return { kind: 'server', name: SERVER_NAME, at, keyAt: r.keyAt, config, ...(secret.length > 0 ? { sensitive: secret } : {}) };
  },
  store(m, objects) {
    const s = objects[SERVER_NAME];
    if (s) m.server = s;
  },
  configKeyProblem: serverKeyProblem,
  envConfig: true,
};
