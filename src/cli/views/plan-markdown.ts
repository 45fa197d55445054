/**
 * The plan as markdown, for a pull-request comment: the summary first, one bullet per changed
 * object (what and how it lands, in words), objects changed outside lxplan called out, pending
 * restarts and state-only notes, then the full human plan in a collapsed ```diff block. Rendered
 * from the same Plan value as the other views, after redaction.
 *
 * In the block, each change glyph is moved to column 0 (the two-space indent of the plan is
 * dropped) because that is where diff highlighting looks: "+" lines are green, "-" and "-/+" red,
 * and "~" is written "!" (a diff's "changed" line, which GitHub colours too) as Terraform comment
 * tools do.
 */
import { isChange, GLYPH, type Plan, type ResourceChange } from '../../planner/plan.js';
import type { Line } from './lines.js';
import { hasDrift, headlineNote, noChangesDetail, pendingRestarts, planDaemonWord, planLines, stateNotes, summaryLine } from './plan-human.js';
import { redactChange } from '../../planner/redact.js';

/** Backslash-escapes what markdown would read as formatting, links or HTML in running text. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<&~]/g, '\\$&');
}

/** A code span that holds any text: the fence is longer than any run of backticks inside. */
export function codeSpan(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

const RESTART_NOTE: Record<NonNullable<ResourceChange['restart']>, string> = {
  now: 'lxapply restarts it',
  pending: 'takes effect at the next start',
  required: 'needs a restart: refused without --allow-restart',
};

function bullet(raw: ResourceChange): string {
  const ch = redactChange(raw);
  const note = headlineNote(ch);
  const restart = ch.action === 'update' && ch.restart !== undefined ? RESTART_NOTE[ch.restart] : undefined;
  const how = [note, restart].filter((s) => s !== undefined).join('; ');
  const users = ch.usedBy ?? [];
  const affected = users.filter((u) => u.impact !== undefined).length;
  const extra = [ch.reason, users.length > 0 ? `used by ${users.length} instance${users.length === 1 ? '' : 's'}, ${affected} affected` : undefined].filter(
    (s) => s !== undefined,
  );
  return `- **${GLYPH[ch.action]} ${ch.action}** ${codeSpan(`${ch.kind} ${ch.name}`)}${how ? ` (${escapeMarkdown(how)})` : ''}${extra.length > 0 ? ` — ${escapeMarkdown(extra.join('; '))}` : ''}`;
}

function driftNote(plan: Plan): string {
  const objects = plan.changes
    .filter((ch) => (ch.drift?.length ?? 0) > 0)
    .map((ch) => {
      const paths = ch.drift!.map((f) => f.path);
      const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
      return `${codeSpan(`${ch.kind} ${ch.name}`)} (${escapeMarkdown(shown)})`;
    });
  return `> **Changed outside lxplan since the last apply:** ${objects.join('; ')}.`;
}

/** One display line in the diff block: glyph at column 0, the plan's two-space indent dropped. */
function diffLine(l: Line): string {
  const indent = ' '.repeat(Math.max(0, l.indent - 2));
  if (l.mark === undefined) return l.text === '' ? '' : indent + l.text;
  return (l.mark === '~' ? '!' : l.mark) + indent + l.text;
}

/** A fence longer than any run of backticks in the body, so a value holding ``` cannot close it. */
function fenced(info: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** What a pull-request comment holds at most (GitHub refuses a longer body: 65,536 characters). */
export const COMMENT_LIMIT = 65_536;

/** The note that replaces what did not fit. */
function cutNote(what: string): string {
  return `_${what} left out: the comment would pass the ${COMMENT_LIMIT.toLocaleString('en-US')} characters a pull-request comment holds. The full plan is in the output of \`lxplan\` (the CI log), and in \`lxplan --json\`._`;
}

/**
 * The plan as a pull-request comment, at most `limit` characters: when the whole does not fit,
 * the details block goes first; when the bullets alone do not fit either, as many as fit are kept
 * and one line says how many more there are. The summary line always stays.
 */
export function renderPlanMarkdown(plan: Plan, limit = COMMENT_LIMIT): string {
  const s = plan.summary;
  const nothing = s.add + s.change + s.destroy === 0;
  const head = [nothing ? `**No changes.** ${noChangesDetail(plan)}` : `**${summaryLine(plan)}**`];
  const changes = plan.changes.filter(isChange);
  const bullets = changes.map(bullet);
  const rest: string[] = [];
  if (hasDrift(plan)) rest.push('', driftNote(plan));
  const note = (ch: ResourceChange) => `- ${codeSpan(`${ch.kind} ${ch.name}`)} — ${escapeMarkdown(ch.reason ?? 'restart pending')}`;
  const pending = pendingRestarts(plan);
  if (pending.length > 0)
    rest.push('', `Waiting for a restart (${planDaemonWord(plan)} has the changes; they take effect at the next start):`, '', ...pending.map(note));
  const notes = stateNotes(plan);
  if (notes.length > 0) rest.push('', `State only (${planDaemonWord(plan)} is not touched):`, '', ...notes.map(note));
  const lines = planLines(plan);
  // Only the summary line: the details would repeat it.
  const details = lines.length > 1 ? ['', '<details><summary>Details</summary>', '', fenced('diff', lines.map(diffLine).join('\n')), '', '</details>'] : [];
  const join = (parts: string[]) => parts.join('\n') + '\n';
  const whole = join([...head, ...(bullets.length > 0 ? ['', ...bullets] : []), ...rest, ...details]);
  if (whole.length <= limit) return whole;
  const withoutDetails = join([...head, ...(bullets.length > 0 ? ['', ...bullets] : []), ...rest, '', cutNote(`The details (${lines.length} lines) are`)]);
  if (withoutDetails.length <= limit) return withoutDetails;
  // Not even the bullets fit: as many as do, in plan order, and how many are left.
  const tail = (n: number) => ['', `- … and ${n} more change${n === 1 ? '' : 's'}`, '', cutNote('The details and the other changes are')];
  let size = join([...head, '', ...tail(bullets.length)]).length;
  let kept = 0;
  while (kept < bullets.length && size + bullets[kept].length + 1 + String(bullets.length).length <= limit) size += bullets[kept++].length + 1;
  return join([...head, '', ...bullets.slice(0, kept), ...tail(bullets.length - kept)]);
}

/**
 * `lxplan --refresh-only --format markdown`: what was recorded (the outcome line, in bold), the
 * objects changed outside lxplan, and the drift in a collapsed block. Nothing is planned.
 */
export function renderRefreshMarkdown(plan: Plan, outcome: string): string {
  const out = [`**${escapeMarkdown(outcome)}**`];
  if (hasDrift(plan)) {
    out.push('', driftNote(plan));
    const lines = planLines(plan).filter((l) => !/No changes/.test(l.text));
    out.push('', '<details><summary>Details</summary>', '', fenced('diff', lines.map(diffLine).join('\n').trimEnd()), '', '</details>');
  }
  return out.join('\n') + '\n';
}
