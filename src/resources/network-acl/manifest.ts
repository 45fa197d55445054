/**
 * How `network_acls:` is read from the manifests (src/manifest/kind.ts). Each rule keeps LXD's
 * own key names; values are strings as written. Checked offline, as LXD 5.0.2 would refuse them:
 * ports need protocol tcp or udp ("Destination port cannot be used without specifying
 * protocol"), ICMP type and code need icmp4 or icmp6, ports are 0-65535 (lists and ranges), ICMP
 * numbers 0-255. `state` defaults to enabled (5.0.2 has no default and refuses a rule without it).
 */
import { isMap, isSeq, type Node } from 'yaml';
import type { KindManifest } from '../../manifest/kind.js';
import type { EntryReader } from '../../manifest/entry.js';
import { scalarText } from '../../manifest/entry.js';
import { deref } from '../../manifest/parse.js';
import { RULE_KEYS } from './rules.js';
import { aclNameProblem } from './schema-hints.js';
import type { DesiredNetworkAcl, NetworkAclRule } from './types.js';

const PORT_KEYS = ['source_port', 'destination_port'] as const;
const ICMP_KEYS = ['icmp_type', 'icmp_code'] as const;

/** Why a port list ("80,443,8000-8080") is not one LXD takes, or null. */
function portProblem(v: string): string | null {
  for (const part of v.split(',').map((s) => s.trim())) {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part);
    if (!m || Number(m[1]) > 65535 || (m[2] !== undefined && (Number(m[2]) > 65535 || Number(m[2]) < Number(m[1])))) {
      return 'ports are numbers from 0 to 65535, ranges (8000-8080) and comma-separated lists of them (80,443)';
    }
  }
  return null;
}

/** One rule list (`ingress:` or `egress:`); its keys' positions go into keyAt as "ingress.0.source". */
function rules(r: EntryReader, dir: 'ingress' | 'egress'): NetworkAclRule[] {
  const f = r.fields.get(dir);
  if (!f) return [];
  r.keyAt[dir] = r.loc(f.keyNode);
  if (!isSeq(f.value)) return [];
  const out: NetworkAclRule[] = [];
  f.value.items.forEach((item, i) => {
    const node = deref(r.file, item);
    if (!isMap(node)) return;
    r.keyAt[`${dir}.${i}`] = r.loc(node);
    const rule: Record<string, string> = {};
    const nodes = new Map<string, Node | null>();
    for (const p of r.pairs(node)) {
      const v = scalarText(p.value);
      if (v === undefined || !(RULE_KEYS as readonly string[]).includes(p.key)) continue;
      rule[p.key] = v;
      nodes.set(p.key, p.value);
      r.keyAt[`${dir}.${i}.${p.key}`] = r.loc(p.keyNode);
    }
    const where = `rule ${i + 1} of ${dir} of ${r.owner}`;
    for (const k of PORT_KEYS) {
      if (rule[k] === undefined) continue;
      if (rule.protocol !== 'tcp' && rule.protocol !== 'udp')
        r.valueError(
          `${k} of ${where} needs protocol tcp or udp (LXD refuses ports without one)`,
          nodes.get(k) ?? null,
          'add protocol: tcp (or udp), or remove the port',
        );
      else {
        const why = portProblem(rule[k]);
        if (why) r.valueError(`invalid ${k} "${rule[k]}" of ${where}: ${why}`, nodes.get(k) ?? null);
      }
    }
    for (const k of ICMP_KEYS) {
      if (rule[k] === undefined) continue;
      if (rule.protocol !== 'icmp4' && rule.protocol !== 'icmp6')
        r.valueError(`${k} of ${where} needs protocol icmp4 or icmp6`, nodes.get(k) ?? null, 'add protocol: icmp4 (or icmp6), or remove it');
      else if (!/^[0-9]{1,3}$/.test(rule[k]) || Number(rule[k]) > 255)
        r.valueError(`invalid ${k} "${rule[k]}" of ${where}: a number from 0 to 255`, nodes.get(k) ?? null);
    }
    out.push({ ...rule, action: rule.action as NetworkAclRule['action'], state: (rule.state ?? 'enabled') as NetworkAclRule['state'] });
  });
  return out;
}

export const networkAclManifest: KindManifest<DesiredNetworkAcl> = {
  section: 'network_acls',
  normalise(r, name, at) {
    const renamedFrom = r.text('renamed_from');
    const description = r.text('description') ?? '';
    const ingress = rules(r, 'ingress');
    const egress = rules(r, 'egress');
    const config = r.plainConfig();
    return { kind: 'network_acl', name, at, keyAt: r.keyAt, description, ingress, egress, config, ...(renamedFrom ? { renamedFrom } : {}) };
  },
  store(m, objects) {
    m.networkAcls = objects;
  },
  nameProblem: aclNameProblem,
};
