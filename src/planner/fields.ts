/** Secrets, recorded fields and drift: what the state remembers of each object's fields. */
import { createHash } from 'node:crypto';
import { canonicalFor } from '../resources/fields.js';
import { specs } from '../resources/index.js';
import { SENSITIVE, type Fields, type PlanContext, type ResourceSpec } from '../resources/spec.js';
import type { DesiredObject } from '../resources/types.js';
import type { StateEntry } from '../state/model.js';
import type { FieldChange } from './plan.js';

export { SENSITIVE };

/** Field paths ("config.user.token") whose values are secrets. */
export function sensitivePaths(d: DesiredObject | undefined): Set<string> {
  return new Set([...(d?.sensitive ?? []).map((k) => `config.${k}`), ...(d ? (specs[d.kind].secrets?.paths(d) ?? []) : [])]);
}

export function hashSecret(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** Secret values never leave the planner: they become "(sensitive)" in the plan. */
export function redact(fields: FieldChange[], secret: Set<string>): FieldChange[] {
  if (secret.size === 0) return fields;
  return fields.map((f) =>
    secret.has(f.path)
      ? { ...f, sensitive: true, ...(f.before !== undefined ? { before: SENSITIVE } : {}), ...(f.after !== undefined ? { after: SENSITIVE } : {}) }
      : f,
  );
}

/** What the state records of an object's fields: display values, secrets as hashes. */
export function recordFields(fields: Fields, secret: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of Object.keys(fields).sort())
    out[path] = secret.has(path) && !fields[path].fromState ? hashSecret(fields[path].display) : fields[path].display;
  return out;
}

/** Fields whose live value differs from what lxplan last recorded: changed outside lxplan. */
export function driftOf(spec: ResourceSpec, l: unknown, d: DesiredObject | undefined, entry: StateEntry, ctx: PlanContext, secret: Set<string>): FieldChange[] {
  if (!entry.fields) return [];
  // LXD against the state, never against the manifest: live values a kind shows in the desired
  // object's terms (an instance's image by the name the manifest uses) are shown in the record's.
  const live = spec.liveFields(l, ctx, d && spec.inRecordTerms ? spec.inRecordTerms(d, entry) : d);
  const out: FieldChange[] = [];
  for (const path of [...new Set([...Object.keys(entry.fields), ...Object.keys(live)])].sort()) {
    if (live[path]?.fromState) continue;
    const rec = entry.fields[path];
    const now = live[path]?.display;
    const hashed = rec?.startsWith('sha256:') || secret.has(path);
    const same = hashed
      ? (rec ?? '') === (now === undefined ? '' : hashSecret(now))
      : rec !== undefined && now !== undefined && canonicalFor(path, rec) === canonicalFor(path, now);
    if (same || (rec === undefined && now === undefined)) continue;
    const impact = d ? spec.fieldImpact(path, l, d).impact : 'live';
    out.push(
      hashed
        ? { path, impact, sensitive: true, ...(rec !== undefined ? { before: SENSITIVE } : {}), ...(now !== undefined ? { after: SENSITIVE } : {}) }
        : { path, impact, ...(rec !== undefined ? { before: rec } : {}), ...(now !== undefined ? { after: now } : {}) },
    );
  }
  return out;
}
