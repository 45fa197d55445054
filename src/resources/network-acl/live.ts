/** How network ACLs are read from LXD: one list (recursion=1), where the project's networks are (features.networks, else the default project). */
import type { LiveKind } from '../live-kind.js';

export const networkAclLive: LiveKind = {
  where: 'features.networks',
  read: async (r) => ({ networkAcls: Object.fromEntries((await r.client.listNetworkAcls()).map((a) => [a.name, a])) }),
  none: () => ({ networkAcls: {} }),
};
