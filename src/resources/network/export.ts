/** How a network is exported (lxplan export): its type (bridge is the default), description, own config. */
import type { LxdNetwork } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { ownConfig } from '../export-config.js';

export const networkExport: KindExport<LxdNetwork> = {
  section: 'networks',
  entry: (n) => ({ ...(n.type !== 'bridge' ? { type: n.type } : {}), ...(n.description ? { description: n.description } : {}), ...ownConfig(n.config) }),
};
