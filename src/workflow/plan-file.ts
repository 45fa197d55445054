/**
 * The saved-plan file format: the plan as a JSON document, which saved-plan.ts writes and reads
 * back (and which `--json` prints: cli/views/plan-json.ts). Like
 * Terraform's JSON plan it is versioned ("format_version": "1.0", major.minor) and snake_case, and
 * it is rendered from the same Plan value as the human view, after redaction: no secret is ever
 * written (sensitive values read "(sensitive)"). schemas/plan.schema.json describes it.
 *
 * Reading one back (fromPlanDocument) checks the version first, so a plan from another lxplan says
 * which format it is in, then the schema, then what a schema cannot say (addresses, the summary).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LxplanError } from '../errors.js';
import {
  summarise,
  type Action,
  type AffectedInstance,
  type FieldChange,
  type Plan,
  type PlanSummary,
  type ResourceChange,
  type StateOp,
} from '../planner/plan.js';
import type { Impact } from '../resources/impact.js';
import { addressOf, type DesiredObject, type Kind } from '../resources/types.js';
import { redactPlan } from '../planner/redact.js';
import type { DaemonKind } from '../lxd/server.js';

/** The format this lxplan writes and reads. A reader accepts the same major and a minor up to its own. */
export const PLAN_FORMAT = { major: 1, minor: 0 } as const;
export const PLAN_FORMAT_VERSION = `${PLAN_FORMAT.major}.${PLAN_FORMAT.minor}`;

export interface FieldDocument {
  path: string;
  before?: string;
  after?: string;
  impact: Impact;
  note?: string;
  sensitive?: boolean;
}

export interface AffectedInstanceDocument {
  name: string;
  managed: boolean;
  impact?: Impact;
  fields: FieldDocument[];
}

export interface ChangeDocument {
  address: string;
  kind: Kind;
  name: string;
  action: Action;
  impact?: Impact;
  reason?: string;
  state_op: StateOp;
  state_attributes?: Record<string, string>;
  state_fields?: Record<string, string>;
  depends_on: string[];
  fields: FieldDocument[];
  drift?: FieldDocument[];
  used_by?: AffectedInstanceDocument[];
  restart?: 'now' | 'pending' | 'required';
  renamed_from?: string;
  live_digest?: string;
  /** The LXD project the object lives in and the change is made in, when not the plan's project (`project:` on an object; the default project for a kind whose feature the plan's project lacks). */
  project?: string;
  /** A move between projects: the project the object is deleted from. */
  from_project?: string;
  /** On a cluster: the member (or @group) the object is on after the change. */
  member?: string;
  desired?: DesiredObject;
}

export interface PlanDocument {
  format_version: string;
  lxplan_version: string;
  created_at?: string;
  project?: string;
  remote?: string;
  /** The daemon the plan was made against: "lxd" or "incus". */
  daemon?: DaemonKind;
  manifest_path?: string;
  state_path?: string;
  state?: { lineage: string; serial: number };
  options?: { allow_restart?: boolean; targets?: string[]; destroy?: boolean };
  summary: PlanSummary;
  changes: ChangeDocument[];
}

/** The object without its undefined values: absent stays absent (no nulls, no `key: undefined`). */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A plain-JSON copy: what is written is exactly what is read back. */
function json<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function fieldOut(f: FieldChange): FieldDocument {
  return compact({ path: f.path, before: f.before, after: f.after, impact: f.impact, note: f.note, sensitive: f.sensitive });
}

function userOut(u: AffectedInstance): AffectedInstanceDocument {
  return compact({ name: u.name, managed: u.managed, impact: u.impact, fields: u.fields.map(fieldOut) });
}

function changeOut(ch: ResourceChange): ChangeDocument {
  return compact({
    address: ch.address,
    kind: ch.kind,
    name: ch.name,
    action: ch.action,
    impact: ch.impact,
    reason: ch.reason,
    state_op: ch.stateOp,
    state_attributes: ch.stateAttributes && { ...ch.stateAttributes },
    state_fields: ch.stateFields && { ...ch.stateFields },
    depends_on: [...ch.dependsOn],
    fields: ch.fields.map(fieldOut),
    drift: ch.drift?.map(fieldOut),
    used_by: ch.usedBy?.map(userOut),
    restart: ch.restart,
    renamed_from: ch.renamedFrom,
    live_digest: ch.liveDigest,
    project: ch.project,
    from_project: ch.fromProject,
    member: ch.member,
    desired: ch.desired && json(ch.desired),
  });
}

/** The document for `plan` (redacted). `meta.lxplanVersion` is package.json's version. */
export function toPlanDocument(plan: Plan, meta: { lxplanVersion: string }): PlanDocument {
  const p = redactPlan(plan);
  return compact({
    format_version: PLAN_FORMAT_VERSION,
    lxplan_version: meta.lxplanVersion,
    created_at: p.createdAt,
    project: p.project,
    remote: p.remote,
    daemon: p.daemon,
    manifest_path: p.manifestPath,
    state_path: p.statePath,
    state: p.state && { lineage: p.state.lineage, serial: p.state.serial },
    options: p.options && compact({ allow_restart: p.options.allowRestart, targets: p.options.targets && [...p.options.targets], destroy: p.options.destroy }),
    summary: { add: p.summary.add, change: p.summary.change, destroy: p.summary.destroy },
    changes: p.changes.map(changeOut),
  });
}

function fieldIn(f: FieldDocument): FieldChange {
  return compact({ path: f.path, before: f.before, after: f.after, impact: f.impact, note: f.note, sensitive: f.sensitive });
}

function changeIn(c: ChangeDocument): ResourceChange {
  return compact({
    address: c.address,
    kind: c.kind,
    name: c.name,
    action: c.action,
    impact: c.impact,
    fields: c.fields.map(fieldIn),
    reason: c.reason,
    stateOp: c.state_op,
    stateAttributes: c.state_attributes,
    stateFields: c.state_fields,
    dependsOn: c.depends_on,
    desired: c.desired,
    drift: c.drift?.map(fieldIn),
    usedBy: c.used_by?.map((u) => compact({ name: u.name, managed: u.managed, impact: u.impact, fields: u.fields.map(fieldIn) })),
    restart: c.restart,
    renamedFrom: c.renamed_from,
    liveDigest: c.live_digest,
    project: c.project,
    fromProject: c.from_project,
    member: c.member,
  });
}

/** The schema file, found by walking up from this module (it runs from src/ and from dist/src/). */
export function planSchemaPath(): string {
  const rel = path.join('schemas', 'plan.schema.json');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    const p = path.join(dir, rel);
    if (existsSync(p)) return p;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${rel} above ${here}`);
  }
}

let compiled: ValidateFunction | undefined;

/** Stops at the first problem: one precise message is what a person can act on. */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true }).compile(JSON.parse(readFileSync(planSchemaPath(), 'utf8')));
  return compiled;
}

/** "/changes/0/fields/1" -> "changes[0].fields[1]". */
function where(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

function problem(e: ErrorObject): string {
  const at = where(e.instancePath);
  const inside = at ? ` in ${at}` : '';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing ${String(p.missingProperty)}${inside}`;
    case 'additionalProperties':
      return `unknown key "${String(p.additionalProperty)}"${inside}`;
    case 'enum':
      return `${at} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at} must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return `${at || 'the document'} ${e.message ?? 'is invalid'}`;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(file: string, what: string, hint?: string): never {
  throw new LxplanError('usage', `${file} is not a plan this lxplan can read: ${what}`, hint ? { hint } : {});
}

function checkVersion(doc: Record<string, unknown>, file: string): void {
  const v = doc.format_version;
  if (v === undefined) refuse(file, 'it has no format_version (it is not an lxplan plan document)');
  const m = typeof v === 'string' ? /^(\d+)\.(\d+)$/.exec(v) : null;
  if (typeof v !== 'string' || !m) refuse(file, `format_version ${JSON.stringify(v)} is not "major.minor"`);
  if (Number(m[1]) !== PLAN_FORMAT.major || Number(m[2]) > PLAN_FORMAT.minor) {
    const by = typeof doc.lxplan_version === 'string' ? ` by lxplan ${doc.lxplan_version}` : '';
    const reads = PLAN_FORMAT.minor === 0 ? PLAN_FORMAT_VERSION : `${PLAN_FORMAT.major}.0 to ${PLAN_FORMAT_VERSION}`;
    refuse(
      file,
      `it is in plan format ${v}${by}; this lxplan reads format ${reads}`,
      'make the plan again with this lxplan, or apply it with the lxplan that made it',
    );
  }
}

/** What the schema cannot say: each address is its kind and name, and the summary counts the changes. */
function checkConsistency(doc: PlanDocument, file: string): void {
  doc.changes.forEach((c, i) => {
    if (c.address !== addressOf(c.kind, c.name)) refuse(file, `changes[${i}].address is "${c.address}", not "${addressOf(c.kind, c.name)}"`);
    if (c.desired && c.desired.kind !== c.kind) refuse(file, `changes[${i}].desired.kind is "${c.desired.kind}", not "${c.kind}"`);
  });
  const s = summarise(doc.changes.map((c) => ({ action: c.action }) as ResourceChange));
  const d = doc.summary;
  if (s.add !== d.add || s.change !== d.change || s.destroy !== d.destroy) {
    refuse(
      file,
      `its summary (${d.add} to add, ${d.change} to change, ${d.destroy} to destroy) does not match its changes (${s.add}, ${s.change}, ${s.destroy})`,
    );
  }
}

/**
 * The Plan a document describes. `doc` is parsed JSON; `file` names it in errors. Throws
 * LxplanError('usage') naming the file and the first problem. Sensitive values come back as
 * "(sensitive)": whoever applies a saved plan must take them from the manifests again.
 */
export function fromPlanDocument(doc: unknown, file: string): Plan {
  if (!isObject(doc)) refuse(file, 'it is not a JSON object');
  checkVersion(doc, file);
  const validate = validator();
  if (!validate(doc)) refuse(file, problem(validate.errors![0]));
  const d = json(doc) as unknown as PlanDocument;
  checkConsistency(d, file);
  return compact({
    formatVersion: 1 as const,
    changes: d.changes.map(changeIn),
    summary: d.summary,
    state: d.state,
    project: d.project,
    remote: d.remote,
    daemon: d.daemon,
    manifestPath: d.manifest_path,
    statePath: d.state_path,
    options: d.options && compact({ allowRestart: d.options.allow_restart, targets: d.options.targets, destroy: d.options.destroy }),
    createdAt: d.created_at,
  });
}
