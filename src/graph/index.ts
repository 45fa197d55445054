/** A generic DAG and a bounded-concurrency walker over it; nothing here knows about LXD. */
export { CycleError, Graph } from './dag.js';
export { walk, type NodeResult, type NodeStatus, type Visit, type WalkEvent, type WalkOptions, type WalkResult } from './walk.js';
