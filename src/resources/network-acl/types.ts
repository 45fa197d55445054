/** The desired network ACL: what the manifests ask for, after normalisation. */
import type { ConfigMap, LxdNetworkAcl } from '../../lxd/types.js';
import type { DesiredBase } from '../types.js';

/** What a rule does with the traffic it matches (LXD: allow, reject, drop). */
export type NetworkAclAction = 'allow' | 'reject' | 'drop';
/** Whether a rule is in force (LXD 5.0.2 requires it; lxplan's default is enabled). */
export type NetworkAclRuleState = 'enabled' | 'disabled' | 'logged';

/**
 * One ingress or egress rule, in LXD's own field names (NetworkACLRule). Every value is a string
 * as the user wrote it; a key left out matches anything.
 */
export interface NetworkAclRule {
  action: NetworkAclAction;
  state: NetworkAclRuleState;
  description?: string;
  /** Comma-separated CIDRs, ranges, ACL names or @internal/@external (OVN only: names and selectors). */
  source?: string;
  destination?: string;
  /** icmp4, icmp6, tcp, udp; needed by the port and ICMP keys. */
  protocol?: string;
  source_port?: string;
  destination_port?: string;
  icmp_type?: string;
  icmp_code?: string;
}

export interface DesiredNetworkAcl extends DesiredBase {
  kind: 'network_acl';
  description: string;
  /** Order does not matter to LXD ("order independent"): compared as sets. */
  ingress: NetworkAclRule[];
  egress: NetworkAclRule[];
  /** user.* keys only (LXD refuses others). */
  config: ConfigMap;
}

declare module '../spec.js' {
  interface LiveSnapshot {
    /** The ACLs of the project holding the scope's networks (its own with features.networks, else the default project's). */
    networkAcls?: Record<string, LxdNetworkAcl>;
  }
}

declare module '../types.js' {
  interface DesiredByKind {
    network_acl: DesiredNetworkAcl;
  }
  interface Manifest {
    /** Optional: a manifest without network_acls: has none. */
    networkAcls?: Record<string, DesiredNetworkAcl>;
  }
}
