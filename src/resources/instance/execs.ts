/**
 * Commands run in an instance (`execs:`), planned. Each exec is one field of the instance,
 * `execs.<name>`, whose value is a trigger token: the exec runs when the token the manifest gives
 * differs from the one the state recorded after its last successful run (nothing of it is read
 * from LXD: an exec leaves no trace there). The tokens:
 *
 *  - `when: created`: "created". Recorded once it ran; any record counts, so it runs once per
 *    instance: after the instance is created (and started, and ready: wait.ts), or, when the state
 *    has no record of it (the exec was added later, or an apply failed or died between creating
 *    the instance and running it), at the next apply. A replace creates the instance again: it runs again.
 *  - `when: {changed: [paths]}`: "changed sha256:..." of the exec's definition (command,
 *    environment, cwd, uid, gid) and the desired values of the named fields: it runs again
 *    whenever one of them (or its own definition) changes.
 *  - `when: always`: "always"; the record never matches, so it runs at every apply (and a plan
 *    always has that change: it never says `No changes.`).
 *
 * The plan shows each exec that runs as `+ execs.<name>: <command> (live; runs ...)`, with why
 * (afterPlan below). The executor runs them after the instance's change (ops.ts settle), in the
 * manifest's order; one that fails fails the change, and its record (and that of those after it)
 * stays as it was, so the next apply runs it again (execs-run.ts, executor/apply.ts).
 */
import { createHash } from 'node:crypto';
import type { FieldChange, ResourceChange } from '../../planner/plan.js';
import { field } from '../fields.js';
import type { Fields, PlanContext } from '../spec.js';
import type { DesiredInstance } from '../types.js';
import { formatDuration } from './wait.js';

/** When an exec runs. */
export type ExecWhen = 'created' | 'always' | { changed: string[] };

export interface DesiredExec {
  name: string;
  /** argv, run as is (no shell unless it names one). */
  command: string[];
  environment?: Record<string, string>;
  /** Absolute working directory inside the instance. */
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Seconds it may run before it is stopped (killed) and fails. */
  timeoutS: number;
  when: ExecWhen;
}

/** Default `timeout:` of an exec, in seconds. */
export const EXEC_TIMEOUT_S = 300;

/** The field of exec `name`. */
export function execPath(name: string): string {
  return `execs.${name}`;
}

/** The exec a field path names, or undefined. */
export function execOfPath(path: string): string | undefined {
  return path.startsWith('execs.') ? path.slice('execs.'.length) : undefined;
}

/** argv as a person would type it: words with spaces or quotes quoted. */
export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/** `when:` in words, as the manifest writes it. */
export function whenText(w: ExecWhen): string {
  return typeof w === 'string' ? w : `changed: ${w.changed.join(', ')}`;
}

/** Whether field `fieldPath` is one that watched path `watched` names (itself, below it, or a file's mode and owner). */
export function watches(watched: string, fieldPath: string): boolean {
  return fieldPath === watched || fieldPath.startsWith(`${watched}.`) || fieldPath === `${watched}:mode`;
}

function tokenOf(e: DesiredExec, fields: Fields): string {
  if (typeof e.when === 'string') return e.when;
  const watched = Object.keys(fields)
    .filter((p) => !p.startsWith('execs.') && (e.when as { changed: string[] }).changed.some((w) => watches(w, p)))
    .sort()
    .map((p) => [p, fields[p].canonical]);
  const def = { command: e.command, environment: e.environment ?? {}, cwd: e.cwd ?? '', uid: e.uid ?? 0, gid: e.gid ?? 0 };
  return `changed sha256:${createHash('sha256')
    .update(JSON.stringify([def, watched]))
    .digest('hex')}`;
}

/** The execs as fields (`fields`: the instance's other desired fields, which `changed:` execs watch). */
export function desiredExecFields(d: DesiredInstance, fields: Fields): void {
  for (const e of d.execs ?? []) {
    const token = tokenOf(e, fields);
    fields[execPath(e.name)] = field(token);
  }
}

/** What ran, as the state recorded it: a `created` exec with any record has run; an `always` one never matches. */
export function recordedExecFields(recorded: Record<string, string> | undefined, d: DesiredInstance | undefined, out: Fields): void {
  for (const [path, value] of Object.entries(recorded ?? {})) {
    const name = execOfPath(path);
    if (name === undefined) continue;
    const want = d?.execs?.find((e) => e.name === name);
    const canon = want?.when === 'created' ? 'created' : value === 'always' ? 'always (ran)' : value;
    out[path] = { ...field(value, canon), fromState: true };
  }
}

/** Why an exec the plan runs runs, in words (`fields`: the change's other fields; `recorded`: whether it has run before). */
function whyItRuns(e: DesiredExec, c: ResourceChange, recorded: boolean): string {
  if (c.action === 'create') return 'runs: the instance is created';
  if (c.action === 'replace') return 'runs: the instance is created again';
  if (!recorded) return 'runs: it has not run on this instance yet';
  if (e.when === 'always') return 'runs: when: always runs it at every apply';
  if (e.when === 'created') return 'runs: it has not run on this instance yet';
  const { changed } = e.when;
  const because = c.fields.filter((f) => !f.path.startsWith('execs.') && changed.some((w) => watches(w, f.path))).map((f) => f.path);
  return because.length > 0
    ? `runs because ${[...new Set(because.map((p) => p.replace(/:mode$/, '')))].join(', ')} change${because.length === 1 ? 's' : ''}`
    : 'runs: its command or when: changed';
}

function execChange(e: DesiredExec, c: ResourceChange, recorded: boolean): FieldChange {
  return { path: execPath(e.name), after: commandText(e.command), impact: 'live', note: `${whyItRuns(e, c, recorded)}; timeout ${formatDuration(e.timeoutS)}` };
}

/**
 * The plan in people's words: each exec field says which command runs and why, and comes last,
 * in the manifest's order; a replace runs them all. An exec no longer declared is only forgotten.
 */
export function describeExecs(changes: ResourceChange[], ctx: PlanContext): ResourceChange[] {
  return changes.map((c) => {
    if (c.kind !== 'instance' || (c.action !== 'create' && c.action !== 'update' && c.action !== 'replace')) return c;
    const d = c.desired as DesiredInstance | undefined;
    const execs = d?.execs ?? [];
    const hasExecFields = c.fields.some((f) => f.path.startsWith('execs.'));
    if (!hasExecFields && (c.action !== 'replace' || execs.length === 0)) return c;
    const recorded = ctx.state.resources[c.address]?.fields ?? {};
    const others = c.fields.filter((f) => !f.path.startsWith('execs.'));
    const gone = c.fields
      .filter((f) => f.path.startsWith('execs.') && !execs.some((e) => execPath(e.name) === f.path))
      .map((f): FieldChange => ({ path: f.path, before: f.before, impact: 'live', note: 'no longer declared: it does not run again' }));
    const runs = execs
      .filter((e) => c.action === 'replace' || c.fields.some((f) => f.path === execPath(e.name)))
      .map((e) => execChange(e, c, c.action !== 'create' && c.action !== 'replace' && recorded[execPath(e.name)] !== undefined));
    return { ...c, fields: [...others, ...runs, ...gone] };
  });
}
