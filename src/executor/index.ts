export { apply, buildGraph, type ApplyOptions, type ApplyResult } from './apply.js';
export type { ApplyEvent, EventSink } from './events.js';
