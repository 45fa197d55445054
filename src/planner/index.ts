export { plan, makeContext, emptyManifest, type PlanInput } from './planner.js';
export { refreshState, type Refresh } from './refresh.js';
export * from './plan.js';
