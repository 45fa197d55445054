/**
 * Apply progress. Without a terminal (CI logs): one line per finished change, with its
 * duration. On a terminal: the same lines, plus a live block of the changes in flight with
 * their elapsed time and latest progress (image upload bytes, "stopping" ...), redrawn in place.
 */
import type { ChalkInstance } from 'chalk';
import type { ApplyEvent } from '../../executor/events.js';
import type { Action } from '../../planner/plan.js';

const VERB: Record<Action, [string, string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  replace: ['replacing', 'replaced'],
  delete: ['deleting', 'deleted'],
  noop: ['checking', 'checked'],
};

function label(address: string): string {
  const i = address.indexOf('.');
  return `${address.slice(0, i)} ${address.slice(i + 1)}`;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The permanent line for an event, or undefined for events that only feed the live block. */
export function renderEvent(e: ApplyEvent, c: ChalkInstance): string | undefined {
  switch (e.type) {
    case 'done': return `${label(e.address)}: ${c.green(VERB[e.action][1])} (${secs(e.ms)})\n`;
    case 'failed': return `${label(e.address)}: ${c.red(`${VERB[e.action][0]} failed`)} after ${secs(e.ms)}: ${e.error.message}\n`;
    case 'skipped': return `${label(e.address)}: ${c.yellow('skipped')}, because ${label(e.because)} failed\n`;
    case 'notice': return `${label(e.address)}: ${c.yellow(e.message)}\n`;
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
      this.o.write(this.o.chalk.dim(`${label(address)}: still ${VERB[f.action][0]} after ${Math.round((t - f.since) / 1000)}s${f.message ? ` (${f.message})` : ''}\n`));
    }
  }

  readonly sink = (e: ApplyEvent): void => {
    if (e.type === 'start') this.inFlight.set(e.address, { action: e.action, since: this.now() });
    else if (e.type === 'progress') {
      const f = this.inFlight.get(e.address);
      if (f) f.message = e.message;
    } else if (e.type !== 'notice') this.inFlight.delete(e.address);
    const line = renderEvent(e, this.o.chalk);
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
    return [...this.inFlight].map(([address, f]) => this.o.chalk.dim(`  ${VERB[f.action][0]} ${label(address)} (${secs(t - f.since)})${f.message ? `: ${f.message}` : ''}`));
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
