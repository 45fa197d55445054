/** A live network ACL as its `network_acls:` entry (lxplan export): empty keys and `state: enabled` left out. */
import type { LxdNetworkAcl } from '../../lxd/types.js';
import type { KindExport } from '../export-kind.js';
import { fromLxdRule } from './rules.js';

export const networkAclExport: KindExport<LxdNetworkAcl> = {
  section: 'network_acls',
  entry: (a) => ({
    ...(a.description ? { description: a.description } : {}),
    ...(a.ingress?.length ? { ingress: a.ingress.map(fromLxdRule) } : {}),
    ...(a.egress?.length ? { egress: a.egress.map(fromLxdRule) } : {}),
    ...(Object.keys(a.config ?? {}).length ? { config: a.config } : {}),
  }),
};
