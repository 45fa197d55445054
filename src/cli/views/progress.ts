/** Apply progress: one line when a change starts, one when it ends (with its duration). */
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

export function renderEvent(e: ApplyEvent, c: ChalkInstance): string {
  switch (e.type) {
    case 'start': return `${label(e.address)}: ${VERB[e.action][0]}...\n`;
    case 'progress': return c.dim(`${label(e.address)}: ${e.message}\n`);
    case 'done': return `${label(e.address)}: ${c.green(VERB[e.action][1])} (${(e.ms / 1000).toFixed(1)}s)\n`;
    case 'failed': return `${label(e.address)}: ${c.red(`${VERB[e.action][0]} failed`)} after ${(e.ms / 1000).toFixed(1)}s: ${e.error.message}\n`;
    case 'skipped': return `${label(e.address)}: ${c.yellow('skipped')}, because ${label(e.because)} failed\n`;
  }
}
