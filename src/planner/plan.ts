/**
 * The plan: a pure value the planner computes and the views and the executor read.
 * The action says what the executor does; the reason is for people only.
 */
import type { Impact } from '../resources/impact.js';
import type { Address, DesiredObject, Kind } from '../resources/types.js';
import type { DaemonKind } from '../lxd/server.js';

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
  /** Dotted path: "profiles", "config.limits.memory", "devices.root.pool". */
  path: string;
  /** As the user or LXD wrote it; undefined when absent on that side. */
  before?: string;
  after?: string;
  impact: Impact;
  note?: string;
  /** The values are secrets (from ${env:...} or listed as sensitive): every view prints "(sensitive)". */
  sensitive?: boolean;
}

/** How a profile change reaches one instance using it (its expanded config before and after). */
export interface AffectedInstance {
  name: string;
  /** False for instances lxplan does not manage: they change all the same. */
  managed: boolean;
  /** Worst impact on this instance; undefined when every changed key is overridden by the instance itself. */
  impact?: Impact;
  /** Changes of the instance's expanded config / devices ("config.limits.memory", "devices.data.source"). */
  fields: FieldChange[];
  /** For a managed running instance whose keys need a restart: restarted by this apply, or left pending. */
  restart?: 'now' | 'pending';
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
  /** The fields the state entry records after this change (secrets hashed), to tell drift next time. */
  stateFields?: Record<string, string>;
  /** Changes that must succeed first. */
  dependsOn: Address[];
  /** The desired object, for create, update and replace. */
  desired?: DesiredObject;
  /** Fields whose live value differs from what lxplan last applied: changed outside lxplan (before = recorded, after = live). */
  drift?: FieldChange[];
  /** For a profile change: every instance using the profile, managed or not. */
  usedBy?: AffectedInstance[];
  /**
   * For a running instance with `restart` fields: restarted by this apply (`now`), or left for later (`pending`).
   * `required`: the change cannot wait for the next start (LXD renames stopped instances only) and the plan
   * was not allowed a restart (--allow-restart, restart: auto): lxapply refuses it unless confirmed on a terminal.
   */
  restart?: 'now' | 'pending' | 'required';
  /** The instance's previous name, when the manifest renames it (`renamed_from`). */
  renamedFrom?: string;
  /** Digest of the live object at plan time; a saved plan's change is refused if LXD's object differs at apply time. */
  liveDigest?: string;
  /** The LXD project the object lives in (after the change), when it is not the run's scope (`project:` on an instance, or the default project for a kind whose feature the scope lacks: resources/where.ts): its operations use a client scoped to it. */
  project?: string;
  /** For a move between projects (a replace): the project the object is deleted from, when it is not the scope. Absent with the project set: the scope. */
  fromProject?: string;
  /** On a cluster: the member (or `@group`) the object is on after the change; views label the change with it ("on m1"). */
  member?: string;
}

/** Options the plan was made with; a saved plan is applied with the same. */
export interface PlanOptions {
  /** Restart running instances whose changes need it. */
  allowRestart?: boolean;
  /** Only these addresses (and what they depend on). */
  targets?: string[];
  /** Plan the deletion of everything in state. */
  destroy?: boolean;
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
  /** The state the plan was made against: a saved plan applies only to exactly this state. */
  state?: { lineage: string; serial: number };
  /** LXD project the plan is for. */
  project?: string;
  /** The remote daemon the plan is for, by name (absent: the local unix socket). */
  remote?: string;
  /** The daemon the plan was made against, "lxd" or "incus" (GET /1.0's environment.server), for its texts; absent: not read (planner fixtures, a plan saved by an older lxplan): the views say "LXD". */
  daemon?: DaemonKind;
  options?: PlanOptions;
  /** When the plan was made (ISO 8601); set by the caller, the planner has no clock. */
  createdAt?: string;
  /** The manifest path and state file the plan was made from (as given, relative to the working directory). */
  manifestPath?: string;
  statePath?: string;
}

export function isChange(c: ResourceChange): boolean {
  return c.action !== 'noop';
}

export function summarise(changes: ResourceChange[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        s.add++;
        break;
      case 'update':
        s.change++;
        break;
      case 'delete':
        s.destroy++;
        break;
      case 'replace':
        s.add++;
        s.destroy++;
        break;
      case 'noop':
        break;
      default:
        assertNever(c.action);
    }
  }
  return s;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}
