/**
 * Waiting until an instance is usable (`wait_for:`), planned. The conditions are checked, in the
 * manifest's order, each time lxapply starts the instance (creates it, starts it, restarts it) and
 * before any of its execs runs (execs-settle.ts), and so before anything that depends on it in the
 * plan (a copy of it, its snapshots) is made: the executor starts those only when the instance's
 * change is done. A condition not met within its timeout fails the instance's change.
 *
 * The conditions are one field of the instance, `wait_for`, recorded in the state (nothing of it is
 * in LXD): changing them is an update that changes nothing in LXD, and waits for nothing until the
 * next start.
 */
import type { FieldChange, ResourceChange } from '../../planner/plan.js';
import { field } from '../fields.js';
import type { Fields } from '../spec.js';
import type { DesiredInstance } from '../types.js';

export type WaitCondition =
  /** A global address of that family on the NIC (from GET /1.0/instances/NAME/state). */
  | { kind: 'ipv4' | 'ipv6'; nic: string; timeoutS: number }
  /** A virtual machine's lxd-agent answers (an exec succeeds). */
  | { kind: 'agent'; timeoutS: number }
  /** Just time. */
  | { kind: 'delay'; seconds: number }
  /** The path exists in the instance (LXD's file API: no shell needed). */
  | { kind: 'file'; path: string; timeoutS: number }
  /** The command exits 0 (tried again until it does). */
  | { kind: 'command'; command: string[]; timeoutS: number };

/** Default `timeout:` of a condition, in seconds. */
export const WAIT_TIMEOUT_S = 120;

/** The field of the conditions. */
export const WAIT_FIELD = 'wait_for';

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** "5m", "90s", "1m30s", "500ms", or a bare number of seconds: seconds; null when it is none of those. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_S[m[2]];
  return total;
}

/** Seconds as the manifest would write them: "5m", "2s", "1m30s", "0.5s". */
export function formatDuration(s: number): string {
  if (s < 60 || !Number.isInteger(s)) return `${Number(s.toFixed(3))}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}`;
}

/** One condition in words: "ipv4 on eth0 (timeout 2m)". */
export function conditionText(c: WaitCondition): string {
  switch (c.kind) {
    case 'ipv4':
    case 'ipv6':
      return `${c.kind} on ${c.nic} (timeout ${formatDuration(c.timeoutS)})`;
    case 'agent':
      return `the agent (timeout ${formatDuration(c.timeoutS)})`;
    case 'delay':
      return `a delay of ${formatDuration(c.seconds)}`;
    case 'file':
      return `file ${c.path} (timeout ${formatDuration(c.timeoutS)})`;
    case 'command': {
      const argv = c.command.map((a) => (a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a)).join(' ');
      return `command ${argv} (timeout ${formatDuration(c.timeoutS)})`;
    }
  }
}

export function waitText(conditions: readonly WaitCondition[]): string {
  return conditions.map(conditionText).join(', ');
}

export function desiredWaitFields(d: DesiredInstance, out: Fields): void {
  if (d.waitFor && d.waitFor.length > 0) out[WAIT_FIELD] = field(waitText(d.waitFor));
}

/** As the state recorded them (nothing is read from LXD). */
export function recordedWaitFields(recorded: Record<string, string> | undefined, out: Fields): void {
  const v = recorded?.[WAIT_FIELD];
  if (v !== undefined) out[WAIT_FIELD] = { ...field(v), fromState: true };
}

/** Whether this change starts the instance (so its conditions are waited for): made, started from stopped or frozen, or restarted. */
export function startsInstance(c: Pick<ResourceChange, 'action' | 'fields' | 'restart'>, d: DesiredInstance): boolean {
  if (d.state !== 'running') return false;
  if (c.action === 'create' || c.action === 'replace') return true;
  return c.restart === 'now' || c.fields.some((f) => f.path === 'state' && f.before !== 'running');
}

/**
 * The plan says what is waited for: on a change that starts the instance or runs one of its
 * execs, the `wait_for` field (added when it does not change itself) says it is waited for.
 */
export function describeWaits(changes: ResourceChange[]): ResourceChange[] {
  return changes.map((c) => {
    const d = c.desired as DesiredInstance | undefined;
    if (c.kind !== 'instance' || !d || (c.action !== 'create' && c.action !== 'update' && c.action !== 'replace')) return c;
    const runsExecs = c.fields.some((f) => (d.execs ?? []).some((e) => f.path === `execs.${e.name}`));
    const starts = (startsInstance(c, d) || runsExecs) && (d.waitFor?.length ?? 0) > 0;
    const waits = !starts
      ? 'waited for at its next start'
      : startsInstance(c, d)
        ? 'waited for once the instance has started, before its execs'
        : 'waited for before its execs run';
    const fields = c.fields.map((f): FieldChange =>
      f.path !== WAIT_FIELD ? f : { ...f, impact: 'live', note: f.after === undefined ? 'nothing is waited for any more' : waits },
    );
    if (starts && !fields.some((f) => f.path === WAIT_FIELD)) fields.push({ path: WAIT_FIELD, after: waitText(d.waitFor!), impact: 'live', note: waits });
    return { ...c, fields };
  });
}
