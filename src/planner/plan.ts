/**
 * The plan: a pure value the planner computes and the views and the executor read.
 * The action says what the executor does; the reason is for people only.
 */
import type { Impact } from '../resources/impact.js';
import type { Address, DesiredObject, Kind } from '../resources/types.js';

/** Terraform's closed set, with its glyphs. `replace` is delete-then-create. */
export type Action = 'noop' | 'create' | 'update' | 'replace' | 'delete';

export const GLYPH: Record<Action, string> = {
  noop: ' ',
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
};

/** What the state file gains or loses with this change, beyond what the action implies. */
export type StateOp = 'keep' | 'add' | 'remove';

export interface FieldChange {
  /** Dotted path: "image", "profiles", "config.limits.memory", "devices.root.pool". */
  path: string;
  /** As the user or LXD wrote it; undefined when absent on that side. */
  before?: string;
  after?: string;
  impact: Impact;
  note?: string;
}

export interface ResourceChange {
  address: Address;
  kind: Kind;
  name: string;
  action: Action;
  /** The worst impact of the changed fields (undefined for create, delete and noop). */
  impact?: Impact;
  /** Fields that differ; for a replace, those with impact `replace` say why. */
  fields: FieldChange[];
  /** Why, for people ("was deleted outside lxplan", "already in LXD, alias only"). */
  reason?: string;
  stateOp: StateOp;
  /** Attributes the state entry records after this change. */
  stateAttributes?: Record<string, string>;
  /** Changes that must succeed first. */
  dependsOn: Address[];
  /** The desired object, for create, update and replace. */
  desired?: DesiredObject;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
}

export interface Plan {
  formatVersion: 1;
  /** Every object looked at, in display order (kind, then name), noops included. */
  changes: ResourceChange[];
  summary: PlanSummary;
}

export function isChange(c: ResourceChange): boolean {
  return c.action !== 'noop';
}

export function summarise(changes: ResourceChange[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    switch (c.action) {
      case 'create': s.add++; break;
      case 'update': s.change++; break;
      case 'delete': s.destroy++; break;
      case 'replace': s.add++; s.destroy++; break;
      case 'noop': break;
      default: assertNever(c.action);
    }
  }
  return s;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}
