/** What the executor reports while it works. The CLI draws these; tests record them. */
import type { Action } from '../planner/plan.js';
import type { Address } from '../resources/types.js';

export type ApplyEvent =
  | { type: 'start'; address: Address; action: Action }
  | { type: 'progress'; address: Address; message: string }
  /** Something a person must read even in a CI log (lost contact with LXD, reconciled ...). */
  | { type: 'notice'; address: Address; message: string }
  | { type: 'done'; address: Address; action: Action; ms: number }
  | { type: 'failed'; address: Address; action: Action; ms: number; error: Error }
  | { type: 'skipped'; address: Address; because: Address };

export type EventSink = (e: ApplyEvent) => void;
