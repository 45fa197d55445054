/**
 * Network ACLs (doc/network-acls.md; rest-api.yaml NetworkACL, NetworkACLPut, NetworkACLsPost).
 *
 * An ACL is a named set of ingress and egress rules that networks (`security.acls`, bridge and
 * OVN) and NICs (`security.acls` on an OVN NIC; bridged NICs take it from LXD 5.x on, not 5.0.2)
 * apply. It lives where the project's networks live (where.ts: features.networks), so the ACLs of
 * a bridge are the default project's on LXD 5.0 (bridges exist only there).
 *
 * Observed on LXD 5.0.2:
 *  - every field is writable (NetworkACLPut: description, ingress, egress, config) and a PUT
 *    reaches the firewall (nftables) of every network using the ACL at once: all changes are live;
 *  - `state` has no default: a rule without it is refused ("State must be one of: enabled,
 *    disabled, logged"); lxplan sends `enabled` when the manifest leaves it out;
 *  - config takes user.* keys only ("Invalid config option");
 *  - PATCH with only a description empties both rule lists, so lxplan always PUTs everything;
 *  - an ACL in use (used_by not empty) cannot be deleted ("Cannot delete an ACL that is in use")
 *    nor renamed ("Cannot rename an ACL that is in use"): deletes wait for the users to let go
 *    (their references: refs.ts), and a rename of an ACL in use is refused by the plan;
 *  - a rename is POST /1.0/network-acls/{name} {name}; a PUT with a stale ETag gets 412.
 */
import type { LxdNetworkAcl, LxdNetworkAclRule } from '../../lxd/types.js';
import { configFields, digestOf, field } from '../fields.js';
import type { Fields, ResourceSpec } from '../spec.js';
import { aclsNamedIn } from './refs.js';
import { canonicalRule, rulesField } from './rules.js';
import type { DesiredNetworkAcl } from './types.js';

/** The users LXD lists for an ACL, in words: /1.0/networks/br0 is network "br0", /1.0/instances/c1?project=p instance "c1". */
export function usersOf(l: LxdNetworkAcl): string[] {
  const KIND_OF: Record<string, string> = { networks: 'network', instances: 'instance', profiles: 'profile', 'network-acls': 'network ACL' };
  return (l.used_by ?? []).map((url) => {
    const m = /^\/1\.0\/([a-z-]+)\/([^?]+)/.exec(url);
    return m && KIND_OF[m[1]] ? `${KIND_OF[m[1]]} "${decodeURIComponent(m[2])}"` : url;
  });
}

/** `ingress` and `egress`, each only when it holds rules (as a config key only when set): an empty list is no field. */
function ruleFields(o: { ingress?: readonly Partial<LxdNetworkAclRule>[] | null; egress?: readonly Partial<LxdNetworkAclRule>[] | null }): Fields {
  const f: Fields = {};
  if (o.ingress?.length) f.ingress = rulesField(o.ingress);
  if (o.egress?.length) f.egress = rulesField(o.egress);
  return f;
}

export const networkAclSpec: ResourceSpec<DesiredNetworkAcl, LxdNetworkAcl> = {
  kind: 'network_acl',
  desired: (m) => m.networkAcls ?? {},
  live: (s) => s.networkAcls ?? {},
  desiredFields(d) {
    return configFields(d.config, { description: field(d.description), ...ruleFields(d) });
  },
  liveFields(l) {
    return configFields(l.config ?? {}, { description: field(l.description ?? ''), ...ruleFields(l) });
  },
  fieldImpact: () => ({ impact: 'live' }),
  // Another ACL named as a rule subject (OVN) is a reference too: namedIn below, as for networks and NICs.
  refs: () => [],
  liveRefs: () => [],
  builtin: () => false,
  stateAttributes: () => ({}),
  digest: (l) =>
    digestOf({
      description: l.description ?? '',
      config: l.config ?? {},
      ingress: (l.ingress ?? []).map((r) => JSON.stringify(canonicalRule(r))).sort(),
      egress: (l.egress ?? []).map((r) => JSON.stringify(canonicalRule(r))).sort(),
    }),
  refuse(path, l) {
    const users = usersOf(l);
    if (path !== 'name' || users.length === 0) return undefined;
    return {
      why: `LXD renames an ACL only while nothing uses it, and ${users.join(', ')} use${users.length === 1 ? 's' : ''} it`,
      hint: 'to move its users to a new name, drop renamed_from: lxplan then creates the new ACL before its users change and deletes the old one after',
    };
  },
  // --- references from other kinds ---
  namedIn: aclsNamedIn,
};
