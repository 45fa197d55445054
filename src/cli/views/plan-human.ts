/**
 * The plan as people read it (terminal, CI log). Rendered from the same Plan value as the JSON and
 * markdown views, after redaction (planner/redact.ts: secrets read "(sensitive)"). Shape:
 *
 *   Changed outside lxplan since the last apply:
 *
 *     ~ instance web-2
 *         ~ config.limits.memory: 1GB -> 2GB
 *
 *   lxplan will make these changes:
 *
 *     + instance web-1
 *         + image: busybox
 *     ~ instance web-2 (live)
 *         ~ config.limits.memory: 2GB -> 1GB (live)
 *     ~ instance db-1 (restart: security.privileged)
 *         + config.security.privileged: true (restart)
 *         lxapply restarts it to apply the change
 *     ~ profile small (live)
 *         ~ config.limits.cpu: 1 -> 2 (live)
 *         used by 1 instance:
 *           ~ web-2 (live)
 *               ~ config.limits.cpu: 1 -> 2 (live)
 *     -/+ instance web-3 (replace: image busybox -> alpine)
 *     - instance web-4
 *
 *   Plan: 1 to add, 3 to change, 1 to destroy.
 *
 * On a cluster whose changes land on more than one member, they are grouped by member (memberGroups).
 *
 * The view builds display lines (./lines.ts) and joins them; the markdown view reuses the lines.
 */
import type { ChalkInstance } from 'chalk';
import type { Impact } from '../../resources/impact.js';
import { assertNever, GLYPH, isChange, type AffectedInstance, type FieldChange, type Plan, type ResourceChange } from '../../planner/plan.js';
import { BLANK, joinLines, line, type Line } from './lines.js';
import { redactChange } from '../../planner/redact.js';
import { projectField } from '../../planner/scope.js';
import { plain } from './style.js';
import { wordOf } from '../../lxd/server.js';
import { isMultiLine, textDiff, valueLines } from './text-diff.js';

function colourFor(c: ChalkInstance, action: ResourceChange['action']): (s: string) => string {
  switch (action) {
    case 'create':
      return c.green;
    case 'update':
      return c.yellow;
    case 'replace':
      return c.red;
    case 'delete':
      return c.red;
    case 'noop':
      return (s) => s;
    default:
      return assertNever(action);
  }
}

/** Values are shown as written; a value with control characters or edge spaces is quoted so a line stays a line. */
function show(v: string | undefined): string {
  if (v === undefined) return '(none)';
  if (v === '') return '""';
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(v) || v !== v.trim() ? JSON.stringify(v) : v;
}

/**
 * "security.privileged, raw.lxc": the keys that need a restart, as the user writes them. A rename's
 * own `name` field is left out: the headline already says "renamed from".
 */
function restartKeys(fields: FieldChange[]): string {
  return fields
    .filter((f) => f.impact === 'restart' && f.path !== 'name')
    .map((f) => f.path.replace(/^config\./, ''))
    .join(', ');
}

function impactNote(impact: Impact | undefined, fields: FieldChange[]): string | undefined {
  switch (impact) {
    case undefined:
      return undefined;
    case 'restart': {
      const keys = restartKeys(fields);
      return keys ? `restart: ${keys}` : 'restart';
    }
    case 'replace': {
      const why = fields.filter((f) => f.impact === 'replace').map((f) => `${f.path} ${show(f.before)} -> ${show(f.after)}`);
      return why.length > 0 ? `replace: ${why.join(', ')}` : 'replace';
    }
    case 'live':
      return 'live';
  }
}

/**
 * "in project default": where the object lives, when that is not the plan's project (a profile
 * of a project without profiles of its own lives in the default project). Not when the project
 * field of the change says it already (a create or a move of an object with project:).
 */
function whereNote(ch: ResourceChange): string | undefined {
  return ch.project !== undefined && !ch.fields.some((f) => f.path === projectField()) ? `in project ${ch.project}` : undefined;
}

/**
 * What the headline says in parentheses, without them: "live", "restart: security.privileged",
 * "replace: image busybox -> alpine", "renamed from web-old; live", "in project default". Undefined when nothing.
 * Shared with the markdown view. Pass a redacted change.
 */
export function headlineNote(ch: ResourceChange, opts: { grouped?: boolean } = {}): string | undefined {
  const impact = ch.action === 'update' || ch.action === 'replace' ? impactNote(ch.action === 'replace' ? 'replace' : ch.impact, ch.fields) : undefined;
  const parts = [
    ch.member !== undefined && !opts.grouped ? `on ${ch.member}` : undefined,
    whereNote(ch),
    ch.renamedFrom !== undefined ? `renamed from ${ch.renamedFrom}` : undefined,
    impact,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The line under an update that needs a restart: who restarts the instance, and when. */
export const RESTART_WORDS: Record<NonNullable<ResourceChange['restart']>, string> = {
  now: 'lxapply restarts it to apply the change',
  pending: 'restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)',
  required:
    'restart needed: the change cannot wait for the next start; lxapply refuses it without --allow-restart (or restart: auto on the instance, or a yes on a terminal)',
};

interface FieldStyle {
  indent: number;
  /** Width of the longest path, so values line up. */
  width: number;
  /** A created object: every field is "+ path: value", without impact. */
  created: boolean;
  /** Show "(impact; note)" after the value (not for drift: it is not a change lxplan makes). */
  annotate: boolean;
}

/** Values line up across the one-line fields; a multi-line field's value is below it, so it does not count. */
function styleFor(fields: FieldChange[], indent: number, created: boolean, annotate: boolean): FieldStyle {
  const oneLine = fields.filter((f) => !isMultiLine(f.before) && !isMultiLine(f.after));
  return { indent, width: Math.max(0, ...oneLine.map((f) => f.path.length)), created, annotate };
}

/** One field: one line, or for a multi-line value its line followed by the text (a create) or a diff of it. */
function fieldLines(f: FieldChange, s: FieldStyle, c: ChalkInstance): Line[] {
  const [mark, colour] = s.created || f.before === undefined ? ['+', c.green] : f.after === undefined ? ['-', c.red] : ['~', c.yellow];
  // A created object's fields carry no impact, only a warning about the value when there is one.
  const annotation = !s.annotate ? '' : !s.created ? ` ${c.dim(`(${f.impact}${f.note ? `; ${f.note}` : ''})`)}` : f.note ? ` ${c.dim(`(${f.note})`)}` : '';
  if (isMultiLine(f.before) || isMultiLine(f.after)) {
    const body = s.created ? valueLines(f.after ?? '', s.indent + 4) : textDiff(f.before, f.after, s.indent + 4, c);
    return [{ indent: s.indent, mark, colour, text: ` ${f.path}:${annotation}` }, ...body];
  }
  const name = `${f.path}:`.padEnd(s.width + 1);
  const value = mark === '+' ? show(f.after) : mark === '-' ? show(f.before) : `${show(f.before)} -> ${show(f.after)}`;
  return [{ indent: s.indent, mark, colour, text: ` ${name} ${value}${annotation}` }];
}

function fieldsLines(fields: FieldChange[], s: FieldStyle, c: ChalkInstance): Line[] {
  return fields.flatMap((f) => fieldLines(f, s, c));
}

/** The blast radius of a profile change: every instance using it, and how the change reaches it. */
function usedByLines(ch: ResourceChange, users: AffectedInstance[], c: ChalkInstance): Line[] {
  if (users.length === 0) return [];
  const out = [line(6, `used by ${users.length} instance${users.length === 1 ? '' : 's'}:`)];
  for (const u of users) {
    const unmanaged = u.managed ? [] : ['not managed by lxplan'];
    if (u.impact === undefined) {
      out.push(line(10, `${u.name} ${c.dim(`(${['not affected: its own config overrides these keys', ...unmanaged].join('; ')})`)}`));
      continue;
    }
    out.push({ indent: 8, mark: '~', colour: c.yellow, text: ` ${u.name} (${[impactNote(u.impact, u.fields), ...unmanaged].join('; ')})` });
    // Always the fields: what reaches this instance, even when it is the profile's change as it is.
    out.push(...fieldsLines(u.fields, styleFor(u.fields, 12, false, true), c));
    if (u.restart !== undefined) out.push(line(12, u.restart === 'now' ? c.yellow(RESTART_WORDS.now) : RESTART_WORDS.pending));
  }
  return out;
}

function headlineLine(ch: ResourceChange, c: ChalkInstance, grouped: boolean): Line {
  const note = headlineNote(ch, { grouped });
  const text = ` ${c.bold(`${ch.kind} ${ch.name}`)}${note !== undefined ? ` (${note})` : ''}${ch.reason ? c.dim(`  # ${ch.reason}`) : ''}`;
  return { indent: 2, mark: GLYPH[ch.action], colour: colourFor(c, ch.action), text };
}

function changeLines(raw: ResourceChange, c: ChalkInstance, grouped = false): Line[] {
  const ch = redactChange(raw);
  const out = [headlineLine(ch, c, grouped)];
  if (ch.action !== 'delete') out.push(...fieldsLines(ch.fields, styleFor(ch.fields, 6, ch.action === 'create', true), c));
  if (ch.action === 'update' && ch.restart !== undefined) {
    out.push(line(6, ch.restart === 'pending' ? RESTART_WORDS.pending : c.yellow(RESTART_WORDS[ch.restart])));
  }
  out.push(...usedByLines(ch, ch.usedBy ?? [], c));
  return out;
}

/** One object's drift: what changed outside lxplan, recorded value -> value in LXD now. */
function driftLines(raw: ResourceChange, c: ChalkInstance): Line[] {
  const ch = redactChange(raw);
  const drift = ch.drift ?? [];
  return [{ indent: 2, mark: '~', colour: c.yellow, text: ` ${c.bold(`${ch.kind} ${ch.name}`)}` }, ...fieldsLines(drift, styleFor(drift, 6, false, false), c)];
}

export function renderChange(ch: ResourceChange, c: ChalkInstance = plain): string {
  return joinLines(changeLines(ch, c));
}

/** Whether any object changed outside lxplan. */
export function hasDrift(plan: Plan): boolean {
  return plan.changes.some((ch) => (ch.drift?.length ?? 0) > 0);
}

/** The daemon the plan was made against, as messages say it ("LXD", "Incus"); LXD for a plan that does not know (planner fixtures, an older saved plan). */
export function planDaemonWord(plan: Plan): string {
  return plan.daemon ? wordOf(plan.daemon) : 'LXD';
}

/** After "No changes.": why nothing is to be done, naming the daemon the plan was made against ("Incus matches the manifests."). */
export function noChangesDetail(plan: Plan): string {
  const daemon = planDaemonWord(plan);
  return hasDrift(plan) ? `${daemon} keeps the changes made outside lxplan.` : `${daemon} matches the manifests.`;
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (s.add + s.change + s.destroy === 0) return `No changes. ${noChangesDetail(plan)}`;
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
}

/** Running instances that an earlier apply changed and left for their next start (nothing else to do). */
export function pendingRestarts(plan: Plan): ResourceChange[] {
  return plan.changes.filter((ch) => !isChange(ch) && ch.restart === 'pending');
}

/** Objects only the state file changes for (adopted, forgotten), with the reason to show. */
export function stateNotes(plan: Plan): ResourceChange[] {
  return plan.changes.filter((ch) => !isChange(ch) && ch.restart !== 'pending' && ch.stateOp !== 'keep' && ch.reason);
}

/** "instance db-1: restart pending since an earlier apply: ..." (the planner's reason says which keys). */
export function noteText(ch: ResourceChange): string {
  return `${ch.kind} ${ch.name}: ${ch.reason ?? (ch.restart === 'pending' ? 'restart pending' : '')}`;
}

/**
 * On a cluster, the changes by where they land: the cluster-wide ones (profiles, networks, pools,
 * ...) first, then each member's (and each `@group`'s, where LXD picks the member), in name
 * order, each in plan order. Undefined when there is only one such group: then each headline
 * says "on m1" instead.
 */
export function memberGroups(changes: ResourceChange[]): { title: string; changes: ResourceChange[] }[] | undefined {
  const byMember = new Map<string, ResourceChange[]>();
  for (const ch of changes) {
    const key = ch.member ?? '';
    byMember.set(key, [...(byMember.get(key) ?? []), ch]);
  }
  if (byMember.size < 2) return undefined;
  const title = (m: string) => (m === '' ? 'Cluster-wide:' : m.startsWith('@') ? `On a member of cluster group ${m.slice(1)}:` : `On member ${m}:`);
  return [...byMember.keys()].sort().map((m) => ({ title: title(m), changes: byMember.get(m)! }));
}

/** The whole plan as display lines: drift, changes, pending restarts, state-only notes, summary. */
export function planLines(plan: Plan, c: ChalkInstance = plain): Line[] {
  const drifted = plan.changes.filter((ch) => (ch.drift?.length ?? 0) > 0);
  const changes = plan.changes.filter(isChange);
  const notes = stateNotes(plan);
  const out: Line[] = [];
  if (drifted.length > 0) {
    out.push(line(0, 'Changed outside lxplan since the last apply:'), BLANK);
    for (const ch of drifted) out.push(...driftLines(ch, c));
    out.push(BLANK);
  }
  if (changes.length > 0) {
    out.push(line(0, 'lxplan will make these changes:'), BLANK);
    const groups = memberGroups(changes);
    if (!groups) for (const ch of changes) out.push(...changeLines(ch, c));
    else
      for (const g of groups) {
        out.push(line(2, c.bold(g.title)));
        for (const ch of g.changes) out.push(...changeLines(ch, c, true).map((l) => ({ ...l, indent: l.indent + 2 })));
      }
    out.push(BLANK);
  }
  const pending = pendingRestarts(plan);
  if (pending.length > 0) {
    out.push(line(0, `Waiting for a restart (${planDaemonWord(plan)} has the changes; they take effect at the next start):`));
    for (const ch of pending) out.push(line(2, noteText(ch)));
    out.push(BLANK);
  }
  if (notes.length > 0) {
    out.push(line(0, `State only (${planDaemonWord(plan)} is not touched):`));
    for (const ch of notes) out.push(line(2, noteText(ch)));
    out.push(BLANK);
  }
  out.push(line(0, c.bold(summaryLine(plan))));
  return out;
}

export function renderPlan(plan: Plan, c: ChalkInstance = plain): string {
  return joinLines(planLines(plan, c)) + '\n';
}
