/** How a profile is exported (lxplan export): description, config as a user would write it, devices. */
import type { LxdProfile } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { splitConfig } from '../export-config.js';

export const profileExport: KindExport<LxdProfile> = {
  section: 'profiles',
  entry: (p) => ({
    ...(p.description ? { description: p.description } : {}),
    ...splitConfig(p.config ?? {}),
    ...(Object.keys(p.devices ?? {}).length ? { devices: p.devices } : {}),
  }),
};
