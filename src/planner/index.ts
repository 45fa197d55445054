export { plan, makeContext, type PlanInput } from './planner.js';
export * from './plan.js';
