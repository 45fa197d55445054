/**
 * An instance's secrets beyond its config keys: its secret files (`sensitive: true` on a file).
 * The planner shows them as "(sensitive)" and records their hash; a plan document holds the hash
 * only, and a saved plan takes the content from the manifests read again (ResourceSpec.secrets).
 */
import { SENSITIVE, type SecretParts } from '../spec.js';
import { sensitiveFilePaths } from './files.js';
import type { DesiredInstance } from './types.js';

export const instanceSecrets: SecretParts<DesiredInstance> = {
  paths: sensitiveFilePaths,
  redact(d) {
    if (!Object.values(d.files ?? {}).some((f) => f.sensitive)) return d;
    // A secret file's content (its hash stays: a saved plan checks the file read again against it).
    const files = Object.fromEntries(Object.entries(d.files!).map(([p, f]) => [p, f.sensitive ? { ...f, content: SENSITIVE } : f]));
    return { ...d, files };
  },
  redacted: (d) => Object.values(d.files ?? {}).some((f) => f.content === SENSITIVE),
  restore(d, fresh) {
    for (const [target, f] of Object.entries(d.files ?? {})) {
      if (f.content !== SENSITIVE) continue;
      const now = fresh?.files?.[target];
      if (!now || now.sha256 !== f.sha256) return { what: `the secret file ${target}`, hint: 'the manifests or the file changed since; make a new plan' };
      d.files![target] = now;
    }
    return undefined;
  },
};
