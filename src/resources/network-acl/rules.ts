/**
 * ACL rules as the plan shows and compares them. LXD keeps a rule list in the order it was given
 * but calls it "order independent" (rest-api.yaml NetworkACLPut), so two lists holding the same
 * rules are the same: the canonical form is the sorted list of canonical rules. A rule reads as
 * one line, e.g. `allow tcp to :80,443` or `drop from 10.0.0.0/8 (logged) "no LAN"`.
 */
import type { LxdNetworkAclRule } from '../../lxd/types.js';
import type { NetworkAclRule } from './types.js';

/** The rule fields in LXD's order (rest-api.yaml NetworkACLRule), `action` and `state` first. */
export const RULE_KEYS = [
  'action',
  'state',
  'description',
  'source',
  'destination',
  'protocol',
  'source_port',
  'destination_port',
  'icmp_type',
  'icmp_code',
] as const;

/** Comma-separated lists compare without spaces around the commas (LXD trims them). */
function list(v: string | undefined): string {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(',');
}

/** A rule with every key present, values trimmed: what LXD stores and returns. */
export function canonicalRule(r: Partial<LxdNetworkAclRule>): Required<LxdNetworkAclRule> {
  return {
    action: r.action ?? '',
    state: r.state || 'enabled',
    description: r.description ?? '',
    source: list(r.source),
    destination: list(r.destination),
    protocol: r.protocol ?? '',
    source_port: list(r.source_port),
    destination_port: list(r.destination_port),
    icmp_type: r.icmp_type ?? '',
    icmp_code: r.icmp_code ?? '',
  };
}

/** One line for people: action, protocol, from, to, ICMP type/code, state unless enabled, description. */
export function ruleText(rule: Partial<LxdNetworkAclRule>): string {
  const r = canonicalRule(rule);
  const end = (addr: string, port: string) => (addr || port ? `${addr}${port ? `:${port}` : ''}` : '');
  const parts = [r.action];
  if (r.protocol) parts.push(r.protocol);
  const from = end(r.source, r.source_port);
  const to = end(r.destination, r.destination_port);
  if (from) parts.push(`from ${from}`);
  if (to) parts.push(`to ${to}`);
  if (r.icmp_type || r.icmp_code) parts.push(`icmp ${r.icmp_type || '*'}/${r.icmp_code || '*'}`);
  if (r.state !== 'enabled') parts.push(`(${r.state})`);
  if (r.description) parts.push(JSON.stringify(r.description));
  return parts.join(' ');
}

/** A rule list as the plan shows it (in the given order) and compares it (sorted). */
export function rulesField(rules: readonly Partial<LxdNetworkAclRule>[] | null | undefined): { display: string; canonical: string } {
  const rs = rules ?? [];
  return {
    display: `[${rs.map(ruleText).join('; ')}]`,
    canonical: JSON.stringify(rs.map((r) => JSON.stringify(canonicalRule(r))).sort()),
  };
}

/** A desired rule as LXD's request takes it: only the keys given, `state` always (5.0.2 has no default). */
export function toLxdRule(r: NetworkAclRule): LxdNetworkAclRule {
  const out: Record<string, string> = {};
  for (const k of RULE_KEYS) if (r[k] !== undefined && r[k] !== '') out[k] = r[k];
  return { ...out, action: r.action, state: r.state ?? 'enabled' };
}

/** The order export writes a rule's keys in: what it does, what it matches, then how it is kept. */
const EXPORT_ORDER = [
  'action',
  'protocol',
  'source',
  'source_port',
  'destination',
  'destination_port',
  'icmp_type',
  'icmp_code',
  'state',
  'description',
] as const;

/** A live rule in the manifest's terms: keys LXD returns empty are left out, `state: enabled` too (the default). */
export function fromLxdRule(r: LxdNetworkAclRule): NetworkAclRule {
  const out: Record<string, string> = {};
  for (const k of EXPORT_ORDER) {
    const v = r[k];
    if (v === undefined || v === '' || (k === 'state' && v === 'enabled')) continue;
    out[k] = v;
  }
  return out as unknown as NetworkAclRule;
}
