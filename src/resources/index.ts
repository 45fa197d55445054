/** The kinds lxplan manages, in dependency order for display: what others use comes first. */
import { withNamedRefs } from './named-in.js';
import { registry } from './registry.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import type { DesiredObject, Kind } from './types.js';

export { registry, type KindEntry } from './registry.js';

/** Each kind's spec (pure: for the planner), by kind; with the references other kinds declare in its objects (named-in.ts). */
export const specs = Object.fromEntries(registry.map((e) => [e.kind, withNamedRefs(registry, e.spec)])) as Record<Kind, ResourceSpec<DesiredObject, unknown>>;

/** Each kind's operations (I/O through the LXD client: for the executor), by kind. */
export const ops = Object.fromEntries(registry.map((e) => [e.kind, e.ops])) as Record<Kind, ResourceOps<DesiredObject>>;

export type { Impact } from './impact.js';
export { worstImpact } from './impact.js';
export * from './spec.js';
export * from './types.js';
