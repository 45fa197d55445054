/**
 * Tiny builders for hand-made plans: the cases the planner does not produce yet (restart now or
 * pending, blast radius, drift, secrets, renames, multi-line values) are built here directly.
 */
import { summarise, type Action, type FieldChange, type Plan, type ResourceChange } from '../../../src/planner/plan.js';
import { worstImpact, type Impact } from '../../../src/resources/impact.js';
import { addressOf, type Kind } from '../../../src/resources/types.js';

/** A field change; `before`/`after` undefined when the key is absent on that side. */
export function field(
  path: string,
  before: string | undefined,
  after: string | undefined,
  impact: Impact = 'live',
  extra: Partial<FieldChange> = {},
): FieldChange {
  return { path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), impact, ...extra };
}

/** A change; an update's or replace's impact is its worst field's, as the planner computes it. */
export function change(kind: Kind, name: string, action: Action, extra: Partial<ResourceChange> = {}): ResourceChange {
  const fields = extra.fields ?? [];
  const impact = action === 'update' || action === 'replace' ? worstImpact(fields.map((f) => f.impact)) : undefined;
  return { address: addressOf(kind, name), kind, name, action, ...(impact ? { impact } : {}), fields, stateOp: 'keep', dependsOn: [], ...extra };
}

export function planOf(changes: ResourceChange[], extra: Partial<Plan> = {}): Plan {
  return { formatVersion: 1, changes, summary: summarise(changes), ...extra };
}
