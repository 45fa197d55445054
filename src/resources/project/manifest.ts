/** How `projects:` is read from the manifests (src/manifest/kind.ts). */
import type { Node } from 'yaml';
import { LxplanError } from '../../errors.js';
import type { KindManifest } from '../../manifest/kind.js';
import { plainNameProblem } from '../../manifest/names.js';
import { isProjectKey, projectKeyHint, projectKeyProblem } from './keys.js';
import type { DesiredProject } from './types.js';

export const projectManifest: KindManifest<DesiredProject> = {
  section: 'projects',
  /** Description and config, each config value checked against LXD's project keys (keys.ts). */
  normalise(r, name, at) {
    const description = r.text('description') ?? '';
    const nodes = new Map<string, Node | null>();
    const config = r.plainConfig(nodes);
    for (const [k, v] of Object.entries(config)) {
      const problem = projectKeyProblem(k, v);
      // An unknown key is reported at the key, as for every other kind (config-keys.ts); a bad value at the value.
      const known = isProjectKey(k);
      if (problem)
        r.errors.push(
          new LxplanError(known ? 'manifest.value' : 'manifest.schema', `${problem} (${r.owner})`, {
            location: known ? r.loc(nodes.get(k) ?? null) : r.keyAt[`config.${k}`],
            hint: projectKeyHint(k),
          }),
        );
    }
    return { kind: 'project', name, at, keyAt: r.keyAt, description, config };
  },
  /** `projects` is there only when some file declares one. */
  store(m, objects) {
    if (Object.keys(objects).length > 0) m.projects = objects;
  },
  nameProblem: (name) => plainNameProblem('project name', name),
  uncounted: true,
  // envConfig absent: ${env:NAME} in a project's config: is not read (it never was; see the issue 12 report).
};

/** The top-level key naming the LXD project a file's objects live in (`project: NAME`; object-project.ts). */
export const SCOPE_KEY = 'project';
