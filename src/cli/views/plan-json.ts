/**
 * The plan as `--json` prints it: the saved-plan document itself (workflow/plan-file.ts holds the
 * format, its schema and its reader), rendered from the redacted plan, so no secret is printed.
 */
import type { Plan } from '../../planner/plan.js';
import { toPlanDocument, type PlanDocument } from '../../workflow/plan-file.js';

export type { PlanDocument };

/** The JSON view of `plan`; `meta.lxplanVersion` is package.json's version. */
export function planJson(plan: Plan, meta: { lxplanVersion: string }): PlanDocument {
  return toPlanDocument(plan, meta);
}
