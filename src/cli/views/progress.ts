/**
 * Apply progress. Without a terminal (CI logs): one line per finished change, with its
 * duration. On a terminal: the same lines, plus a live block of the changes in flight with
 * their elapsed time and latest progress (image upload bytes, "stopping" ...), redrawn in place.
 */
import type { ChalkInstance } from 'chalk';
import type { ApplyEvent } from '../../executor/events.js';
import { PENDING_RESTART } from '../../resources/spec.js';
import type { Action, ResourceChange } from '../../planner/plan.js';

const VERB: Record<Action, [string, string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  replace: ['replacing', 'replaced'],
  delete: ['deleting', 'deleted'],
  // A noop is visited only for the state (a pending restart, an adoption, a forgotten object).
  noop: ['recording', 'recorded in the state'],
};

/** The keys a change leaves waiting for the instance's next start ("limits.cpu, security.nesting"). */
function pendingKeys(c: ResourceChange): string | undefined {
  const keys = c.stateAttributes?.[PENDING_RESTART];
  return keys ? keys.split(',').join(', ') : undefined;
}

/**
 * What a finished line says of a change: the verb, and what else happened to it that the plan
 * showed ("renamed from web-1", "restarted", "restart pending: limits.cpu"). A noop only the state
 * changes for says why (the planner's reason, or the restart it records as pending).
 */
export function doneWords(c: ResourceChange): { verb: string; note?: string } {
  const pending = pendingKeys(c);
  if (c.action === 'noop') {
    const verb = c.stateOp === 'remove' ? 'removed from the state' : VERB.noop[1];
    const note = c.reason ?? (pending ? `restart pending (${pending}): it takes effect at the next start` : undefined);
    return note ? { verb, note } : { verb };
  }
  const notes = [
    c.renamedFrom !== undefined ? `renamed from ${c.renamedFrom}` : undefined,
    c.action === 'update' && c.restart === 'now' ? 'restarted' : undefined,
    c.action === 'update' && c.restart === 'pending' && pending ? `restart pending (${pending})` : undefined,
  ].filter((n) => n !== undefined);
  return notes.length > 0 ? { verb: VERB[c.action][1], note: notes.join(', ') } : { verb: VERB[c.action][1] };
}

const COUNTED: Array<[Action, string]> = [
  ['create', 'created'],
  ['update', 'updated'],
  ['replace', 'replaced'],
  ['delete', 'deleted'],
];

/**
 * What an apply did, counted as its lines say it: "1 updated in LXD, 2 recorded in the state only"
 * ("in Incus" on Incus: `daemon`)
 * (a replace is one replaced object, a rename one updated; noops touched the state alone).
 */
export function countDone(done: ResourceChange[], daemon = 'LXD'): string {
  const inLxd = COUNTED.map(([action, word]) => [done.filter((c) => c.action === action).length, word] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`);
  const stateOnly = done.filter((c) => c.action === 'noop').length;
  const parts = [inLxd.length > 0 ? `${inLxd.join(', ')} in ${daemon}` : `nothing changed in ${daemon}`];
  if (stateOnly > 0) parts.push(`${stateOnly} recorded in the state only`);
  return parts.join(', ');
}

function label(address: string): string {
  const i = address.indexOf('.');
  return `${address.slice(0, i)} ${address.slice(i + 1)}`;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The permanent line for an event, or undefined for events that only feed the live block. With
 * the change (`change`), a finished line says what else happened to it (doneWords).
 */
export function renderEvent(e: ApplyEvent, c: ChalkInstance, change?: (address: string) => ResourceChange | undefined): string | undefined {
  switch (e.type) {
    case 'done': {
      const ch = change?.(e.address);
      const { verb, note } = ch ? doneWords(ch) : { verb: VERB[e.action][1], note: undefined };
      // A state-only noop takes no time worth showing.
      if (e.action === 'noop') return `${label(e.address)}: ${c.green(verb)}${note ? `: ${note}` : ''}\n`;
      return `${label(e.address)}: ${c.green(verb)}${note ? `, ${note}` : ''} (${secs(e.ms)})\n`;
    }
    case 'failed':
      return `${label(e.address)}: ${c.red(`${VERB[e.action][0]} failed`)} after ${secs(e.ms)}: ${e.error.message}\n`;
    case 'skipped':
      return `${label(e.address)}: ${c.yellow('skipped')}, because ${label(e.because)} failed\n`;
    case 'notice':
      return `${label(e.address)}: ${c.yellow(e.message)}\n`;
    case 'start':
    case 'progress':
      return undefined;
  }
}

interface InFlight {
  action: Action;
  since: number;
  message?: string;
}

export interface ProgressOptions {
  write(text: string): void;
  /** Draw the live block (a terminal); otherwise only finished lines are written. */
  live: boolean;
  chalk: ChalkInstance;
  now?: () => number;
  /** The plan's change at an address, so finished lines say what else happened (renamed, restart pending). */
  change?: (address: string) => ResourceChange | undefined;
  /** Redraw period of the live block. */
  intervalMs?: number;
  /**
   * Without a terminal: every this often, a line for each change still running (a CI log must
   * show what lxapply waits for, e.g. an LXD operation that does not end). Default 60 s.
   */
  stillRunningMs?: number;
}

export class ProgressView {
  private readonly inFlight = new Map<string, InFlight>();
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    if (o.live) {
      this.timer = setInterval(() => this.redraw(), o.intervalMs ?? 250);
    } else {
      this.timer = setInterval(() => this.reportStillRunning(), o.stillRunningMs ?? 60_000);
    }
    this.timer.unref();
  }

  /** Without a terminal: one line per change running for at least `stillRunningMs`. */
  reportStillRunning(): void {
    const t = this.now();
    const every = this.o.stillRunningMs ?? 60_000;
    for (const [address, f] of this.inFlight) {
      if (t - f.since < every) continue;
      this.o.write(
        this.o.chalk.dim(`${label(address)}: still ${VERB[f.action][0]} after ${Math.round((t - f.since) / 1000)}s${f.message ? ` (${f.message})` : ''}\n`),
      );
    }
  }

  readonly sink = (e: ApplyEvent): void => {
    if (e.type === 'start') {
      if (e.action !== 'noop') this.inFlight.set(e.address, { action: e.action, since: this.now() });
    } else if (e.type === 'progress') {
      const f = this.inFlight.get(e.address);
      if (f) f.message = e.message;
    } else if (e.type !== 'notice') this.inFlight.delete(e.address);
    const line = renderEvent(e, this.o.chalk, this.o.change);
    if (!this.o.live) {
      if (line) this.o.write(line);
      return;
    }
    this.clear();
    if (line) this.o.write(line);
    this.draw();
  };

  /** The live block's lines: one per change in flight. */
  block(): string[] {
    const t = this.now();
    return [...this.inFlight].map(([address, f]) =>
      this.o.chalk.dim(`  ${VERB[f.action][0]} ${label(address)} (${secs(t - f.since)})${f.message ? `: ${f.message}` : ''}`),
    );
  }

  private clear(): void {
    if (this.drawn > 0) this.o.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    const lines = this.block();
    if (lines.length > 0) this.o.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  private redraw(): void {
    this.clear();
    this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.o.live) this.clear();
  }
}
