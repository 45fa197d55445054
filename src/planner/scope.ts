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
import { declaredProject, desiredProjectOf, liveProjectOf } from '../resources/object-project.js';
import { hasFeature } from '../resources/project.js';
import type { PlanContext, ResourceSpec } from '../resources/spec.js';
import { addressOf, parseAddress, type Address, type Kind } from '../resources/types.js';
import type { ResourceChange } from './plan.js';
import { declaredImageAddress } from './image-refs.js';

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

/** A project's config: as declared when it is declared (a project about to be created has no live one), else as LXD has it. */
export function projectConfig(project: string, ctx: PlanContext): Record<string, string> | undefined {
  return ctx.manifest.projects?.[project]?.config ?? ctx.live.projects?.[project]?.config;
}

/** Whether objects of `kind` are inside `project` (default: the scope project), so they need it. */
export function inScope(kind: Kind, ctx: PlanContext, project = scopeOf(ctx)): boolean {
  const where = WHERE[kind];
  if (where === 'global') return false;
  if (where === 'project') return true;
  return hasFeature(project, projectConfig(project, ctx), where);
}

/** The project where LXD keeps `kind` for objects of `project`: the project itself, or the default project when the feature is off. */
export function effectiveProject(kind: Kind, project: string, ctx: PlanContext): string | undefined {
  if (WHERE[kind] === 'global') return undefined;
  return inScope(kind, ctx, project) ? project : 'default';
}

/** The address of the project an object lives in (the scope, or its own project:), for objects inside it (none for the default project: never created nor deleted). */
function scopeRef(kind: Kind, ctx: PlanContext, project: string): Address[] {
  return project !== 'default' && inScope(kind, ctx, project) ? [addressOf('project', project)] : [];
}

/**
 * Whether a reference of an object living in `project` names the object lxplan knows by that
 * address: an instance in a project with profiles of its own uses that project's profile
 * "small", not the scope's (`project:` on objects; checkObjectProjects refuses such references
 * in the manifests, but a live instance may hold them). Global kinds always are.
 */
function refersHere(ref: Address, project: string, ctx: PlanContext): boolean {
  const { kind, name } = parseAddress(ref);
  const mine = effectiveProject(kind, project, ctx);
  if (mine === undefined) return true;
  return effectiveProject(kind, declaredProject(kind, name, ctx.manifest) ?? liveProjectOf(kind, name, ctx.manifest, ctx.state), ctx) === mine;
}

/** What a desired object needs: its own references, and the project it lives in. */
export function desiredRefs(spec: ResourceSpec, d: Parameters<ResourceSpec['refs']>[0], ctx: PlanContext): Address[] {
  const project = desiredProjectOf(d, ctx.manifest);
  return [...spec.refs(d).map((r) => declaredImageAddress(r, project, ctx)).filter((r) => refersHere(r, project, ctx)), ...scopeRef(spec.kind, ctx, project)];
}

/**
 * What a live object uses: its own references, and the project it is in. A built-in object
 * (the project's default profile) does not hold its project: LXD deletes it with the project.
 */
export function liveRefsOf(spec: ResourceSpec, name: string, l: unknown, ctx: PlanContext): Address[] {
  const project = liveProjectOf(spec.kind, name, ctx.manifest, ctx.state);
  return [...spec.liveRefs(l).filter((r) => refersHere(r, project, ctx)), ...(spec.builtin(name) ? [] : scopeRef(spec.kind, ctx, project))];
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
