/**
 * Where objects live: the LXD project a run works in (its scope) and which kinds are inside it.
 * Every object inside the scope project needs that project: it is created after the project and
 * deleted before it. This is added here, for every kind at once, rather than in each kind's refs.
 *
 * Which kinds are inside a project is LXD's rule (doc/projects.md): instances and their
 * snapshots always; images, profiles, networks and custom volumes only when the project has the
 * matching feature (otherwise they are the default project's); projects and storage pools never.
 */
import { specs } from '../resources/index.js';
import { hasFeature } from '../resources/project.js';
import type { PlanContext, ResourceSpec } from '../resources/spec.js';
import { addressOf, type Address, type Kind } from '../resources/types.js';
import type { ResourceChange } from './plan.js';

/** Per kind: global, always in the project, or in the project when it has this feature. */
export const WHERE: Record<Kind, 'global' | 'project' | `features.${string}`> = {
  project: 'global',
  storage_pool: 'global',
  network: 'features.networks',
  storage_volume: 'features.storage.volumes',
  image: 'features.images',
  profile: 'features.profiles',
  instance: 'project',
  snapshot: 'project',
  server: 'global',
};

/** The project the run works in. */
export function scopeOf(ctx: PlanContext): string {
  return ctx.manifest.project ?? 'default';
}

/** The scope project's config: as declared when it is declared (a project about to be created has no live one), else as LXD has it. */
function scopeConfig(ctx: PlanContext): Record<string, string> | undefined {
  const scope = scopeOf(ctx);
  return ctx.manifest.projects?.[scope]?.config ?? ctx.live.projects?.[scope]?.config;
}

/** Whether objects of `kind` are inside the scope project (so they need it). */
export function inScope(kind: Kind, ctx: PlanContext): boolean {
  const where = WHERE[kind];
  if (where === 'global') return false;
  if (where === 'project') return true;
  return hasFeature(scopeOf(ctx), scopeConfig(ctx), where);
}

/** The scope project's address, for objects inside it (none for the default project: never created nor deleted). */
function scopeRef(kind: Kind, ctx: PlanContext): Address[] {
  const scope = scopeOf(ctx);
  return scope !== 'default' && inScope(kind, ctx) ? [addressOf('project', scope)] : [];
}

/** What a desired object needs: its own references, and the project it lives in. */
export function desiredRefs(spec: ResourceSpec, d: Parameters<ResourceSpec['refs']>[0], ctx: PlanContext): Address[] {
  return [...spec.refs(d), ...scopeRef(spec.kind, ctx)];
}

/**
 * What a live object uses: its own references, and the project it is in. A built-in object
 * (the project's default profile) does not hold its project: LXD deletes it with the project.
 */
export function liveRefsOf(spec: ResourceSpec, name: string, l: unknown, ctx: PlanContext): Address[] {
  return [...spec.liveRefs(l), ...(spec.builtin(name) ? [] : scopeRef(spec.kind, ctx))];
}

/**
 * When the plan deletes the scope project, the built-in objects inside it (its default profile)
 * go with it: say so instead of "leaves it as it is".
 */
export function noteBuiltinsGoingWithProject(changes: ResourceChange[], ctx: PlanContext): ResourceChange[] {
  const scope = scopeOf(ctx);
  const projectGoes = changes.some((c) => c.kind === 'project' && c.name === scope && c.action === 'delete');
  if (!projectGoes) return changes;
  return changes.map((c) => (c.action === 'noop' && c.stateOp === 'remove' && c.kind !== 'project' && inScope(c.kind, ctx) && specs[c.kind].builtin(c.name)
    ? { ...c, reason: `no longer in the manifests: LXD deletes this built-in ${c.kind} with project "${scope}"` }
    : c));
}
