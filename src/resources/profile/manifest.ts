/** How `profiles:` is read from the manifests (src/manifest/kind.ts). */
import type { KindManifest } from '../../manifest/kind.js';
import { plainNameProblem } from '../../manifest/names.js';
import { instanceKeyProblem } from '../instance/config-keys.js';
import { deviceReferences, readConfigAndDevices } from '../instance/manifest-config.js';
import type { DesiredProfile } from './types.js';

export const profileManifest: KindManifest<DesiredProfile> = {
  section: 'profiles',
  normalise(r, name, at) {
    const description = r.text('description') ?? '';
    const { config, devices } = readConfigAndDevices(r, { kind: 'profile' });
    return { kind: 'profile', name, at, keyAt: r.keyAt, description, config, devices, ...r.sensitive() };
  },
  store(m, objects) {
    m.profiles = objects;
  },
  /** Profile names end up in URL paths. */
  nameProblem: (name) => plainNameProblem('profile name', name),
  references: deviceReferences,
  /** Every project has a default profile. */
  referenced: { known: 'profiles', always: true, builtin: ['default'], hint: 'define it under profiles:, or create it in LXD first' },
  /** A profile's keys are an instance's, but for LXD's own volatile.* and image.*. */
  configKeyProblem: instanceKeyProblem,
  envConfig: true,
};
