/**
 * The plan as people read it (terminal, CI log). Rendered from the same Plan value as the JSON
 * view. Shape:
 *
 *   + instance web-1
 *       + image: busybox
 *   ~ instance web-2 (live)
 *       ~ config.limits.memory: 512MB -> 1GB (live)
 *   -/+ instance web-3 (replace: image busybox -> alpine)
 *   - instance web-4
 *
 *   Plan: 1 to add, 1 to change, 1 to destroy.
 */
import type { ChalkInstance } from 'chalk';
import { GLYPH, isChange, type FieldChange, type Plan, type ResourceChange } from '../../planner/plan.js';
import { plain } from './style.js';

function colourFor(c: ChalkInstance, action: ResourceChange['action']): (s: string) => string {
  switch (action) {
    case 'create': return c.green;
    case 'update': return c.yellow;
    case 'replace': return c.red;
    case 'delete': return c.red;
    default: return (s) => s;
  }
}

/** Values are shown as written; multi-line values are quoted so a line stays a line. */
function show(v: string | undefined): string {
  if (v === undefined) return '(none)';
  if (v === '') return '""';
  return /[\n\r]/.test(v) || v !== v.trim() ? JSON.stringify(v) : v;
}

function headline(ch: ResourceChange): string {
  switch (ch.action) {
    case 'update': {
      if (ch.impact !== 'restart') return ` (${ch.impact})`;
      return ` (restart: ${ch.fields.filter((f) => f.impact === 'restart').map((f) => f.path.replace(/^config\./, '')).join(', ')})`;
    }
    case 'replace': {
      const why = ch.fields.filter((f) => f.impact === 'replace').map((f) => `${f.path} ${show(f.before)} -> ${show(f.after)}`);
      return ` (replace: ${why.join(', ')})`;
    }
    default:
      return '';
  }
}

function fieldLine(f: FieldChange, ch: ResourceChange, c: ChalkInstance, width: number): string {
  const name = `${f.path}:`.padEnd(width + 1);
  if (ch.action === 'create') return `      ${c.green('+')} ${name} ${show(f.after)}`;
  if (f.before === undefined) return `      ${c.green('+')} ${name} ${show(f.after)} ${c.dim(`(${f.impact})`)}`;
  if (f.after === undefined) return `      ${c.red('-')} ${name} ${show(f.before)} ${c.dim(`(${f.impact})`)}`;
  const note = f.note ? `; ${f.note}` : '';
  return `      ${c.yellow('~')} ${name} ${show(f.before)} -> ${show(f.after)} ${c.dim(`(${f.impact}${note})`)}`;
}

export function renderChange(ch: ResourceChange, c: ChalkInstance = plain): string {
  const colour = colourFor(c, ch.action);
  const lines = [`  ${colour(GLYPH[ch.action])} ${c.bold(`${ch.kind} ${ch.name}`)}${headline(ch)}${ch.reason ? c.dim(`  # ${ch.reason}`) : ''}`];
  if (ch.action !== 'delete') {
    const width = Math.max(0, ...ch.fields.map((f) => f.path.length));
    for (const f of ch.fields) lines.push(fieldLine(f, ch, c, width));
  }
  return lines.join('\n');
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (s.add + s.change + s.destroy === 0) return 'No changes. LXD matches the manifests.';
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
}

export function renderPlan(plan: Plan, c: ChalkInstance = plain): string {
  const changes = plan.changes.filter(isChange);
  const notes = plan.changes.filter((ch) => !isChange(ch) && ch.stateOp !== 'keep' && ch.reason);
  const out: string[] = [];
  if (changes.length > 0) {
    out.push('lxplan will make these changes:', '');
    for (const ch of changes) out.push(renderChange(ch, c));
    out.push('');
  }
  if (notes.length > 0) {
    out.push('State only (LXD is not touched):');
    for (const ch of notes) out.push(`  ${ch.kind} ${ch.name}: ${ch.reason}`);
    out.push('');
  }
  out.push(c.bold(summaryLine(plan)));
  return out.join('\n') + '\n';
}
