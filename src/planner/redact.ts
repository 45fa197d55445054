/**
 * Secrets never reach a view nor a saved plan: every view, and the plan document (the saved-plan
 * file, workflow/plan-file.ts), renders a redacted copy of the plan, in which each sensitive value
 * reads "(sensitive)". Doing it once, on the value, rather than in each renderer, means a new view
 * cannot forget it.
 *
 * A config key is sensitive for a change when one of its fields `config.<key>` is marked sensitive,
 * or when the desired object lists the key in `sensitive` (so a secret that does not change, and so
 * has no field, is still kept out of `desired`). The planner already redacts the fields it makes;
 * this is the views' and the plan file's own guarantee, and the only redaction of `desired` (a saved plan's secrets are
 * read again from the manifests and checked against `stateFields`' hashes: src/workflow/saved-plan.ts).
 */
import { SENSITIVE } from './fields.js';
import type { AffectedInstance, FieldChange, Plan, ResourceChange } from './plan.js';
import { specs } from '../resources/index.js';
import type { DesiredObject } from '../resources/types.js';

export { SENSITIVE };

function configKey(path: string): string | undefined {
  return path.startsWith('config.') ? path.slice('config.'.length) : undefined;
}

/** The config keys of this change whose values are secrets. */
export function sensitiveKeys(ch: ResourceChange): Set<string> {
  const keys = new Set<string>(ch.desired?.sensitive ?? []);
  for (const f of [...ch.fields, ...(ch.drift ?? [])]) {
    const key = configKey(f.path);
    if (f.sensitive && key !== undefined) keys.add(key);
  }
  return keys;
}

function redactField(f: FieldChange, keys: Set<string>): FieldChange {
  const key = configKey(f.path);
  if (!f.sensitive && (key === undefined || !keys.has(key))) return f;
  const { before, after, ...rest } = f;
  return {
    ...rest,
    ...(before !== undefined ? { before: SENSITIVE } : {}),
    ...(after !== undefined ? { after: SENSITIVE } : {}),
    sensitive: true,
  };
}

function redactDesired(d: DesiredObject, keys: Set<string>): DesiredObject {
  // The kind's own secrets (an instance's secret files), then the config keys (of kinds that have config).
  d = specs[d.kind].secrets?.redact(d) ?? d;
  if (!('config' in d) || keys.size === 0) return d;
  const config = Object.fromEntries(Object.entries(d.config).map(([k, v]) => [k, keys.has(k) ? SENSITIVE : v]));
  return { ...d, config };
}

function redactUser(u: AffectedInstance, keys: Set<string>): AffectedInstance {
  return { ...u, fields: u.fields.map((f) => redactField(f, keys)) };
}

export function redactChange(ch: ResourceChange): ResourceChange {
  const keys = sensitiveKeys(ch);
  const out: ResourceChange = { ...ch, fields: ch.fields.map((f) => redactField(f, keys)) };
  if (ch.drift) out.drift = ch.drift.map((f) => redactField(f, keys));
  if (ch.usedBy) out.usedBy = ch.usedBy.map((u) => redactUser(u, keys));
  if (ch.desired) out.desired = redactDesired(ch.desired, keys);
  return out;
}

export function redactPlan(plan: Plan): Plan {
  return { ...plan, changes: plan.changes.map(redactChange) };
}
