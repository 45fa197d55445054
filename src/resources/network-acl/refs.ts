/**
 * Where other objects name network ACLs (doc/network-acls.md), for ordering and for "exists
 * nowhere" errors; the registry adds these to the other kinds' references (ResourceSpec.namedIn):
 *  - a network's `security.acls` (bridge and OVN): a comma-separated list of ACL names;
 *  - a NIC device's `security.acls`, on an instance or a profile (OVN NICs on LXD 5.0.2, which
 *    refuses the key on a bridged NIC: "Invalid device option"; bridged NICs take it on later LXD);
 *  - an ACL rule's `source` / `destination`, which may name another ACL as a subject (OVN only:
 *    5.0.2 refuses it on a bridge with "Unsupported nftables subject").
 * Desired and live objects have the same shape here (config, devices, ingress, egress).
 */
import type { NamedRef } from '../spec.js';
import type { Kind } from '../types.js';

/** The names in a comma-separated `security.acls` value (LXD trims around the commas). */
export function aclNames(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether a rule subject is an ACL name rather than an address, a range or @internal / @external. */
function isAclName(subject: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]*$/.test(subject);
}

interface Shape {
  name?: string;
  config?: Record<string, string>;
  devices?: Record<string, Record<string, string>>;
  ingress?: Array<{ source?: string; destination?: string }> | null;
  egress?: Array<{ source?: string; destination?: string }> | null;
}

/** The ACLs an object of `kind` names, with the path of the key naming each. */
export function aclsNamedIn(kind: Kind, o: unknown): NamedRef[] {
  const s = (o ?? {}) as Shape;
  const out: NamedRef[] = [];
  if (kind === 'network') {
    for (const name of aclNames(s.config?.['security.acls'])) out.push({ name, path: 'config.security.acls' });
  } else if (kind === 'instance' || kind === 'profile') {
    for (const [dev, d] of Object.entries(s.devices ?? {})) {
      if (d.type !== 'nic') continue;
      for (const name of aclNames(d['security.acls'])) out.push({ name, path: `devices.${dev}.security.acls` });
    }
  } else if (kind === 'network_acl') {
    for (const dir of ['ingress', 'egress'] as const) {
      (s[dir] ?? []).forEach((r, i) => {
        for (const key of ['source', 'destination'] as const) {
          for (const subject of aclNames(r[key])) if (isAclName(subject) && subject !== s.name) out.push({ name: subject, path: `${dir}.${i}.${key}` });
        }
      });
    }
  }
  return out;
}
