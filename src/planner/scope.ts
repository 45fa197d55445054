/**
 * Where objects live: the LXD project a run works in (its scope) and which kinds are inside it.
 * Every object inside the scope project needs that project: it is created after the project and
 * deleted before it. This is added here, for every kind at once, rather than in each kind's refs.
 *
 * Which kinds are inside a project is LXD's rule (doc/projects.md), kept in one place,
 * resources/where.ts: instances and their snapshots always; images, profiles, networks and
 * custom volumes only when the project has the matching feature (otherwise they are the default
 * project's, and are made, read and deleted there: placeChanges); projects and storage pools never.
 */
import { specs } from '../resources/index.js';
import { declaredProject, desiredProjectOf, liveProjectOf } from '../resources/object-project.js';
import { registry } from '../resources/registry.js';
import type { PlanContext, ResourceSpec, ScopeParts } from '../resources/spec.js';
import { addressOf, parseAddress, type Address, type Kind } from '../resources/types.js';
import { holdingProject, WHERE } from '../resources/where.js';
import type { ResourceChange } from './plan.js';

export { WHERE };

/** The kind holding the objects of the others (a project: the one with ResourceSpec.scope) and what it says about them. */
export function holder(): { kind: Kind } & ScopeParts {
  const e = registry.find((x) => x.spec.scope);
  if (!e) throw new Error('no kind holds the others (ResourceSpec.scope)');
  return { kind: e.kind, ...e.spec.scope! };
}

/** The field of an object, in plans, that names the project it lives in. */
export function projectField(): string {
  return holder().field;
}

/** The address a reference stands for, from the given project: as the referenced kind says (a declared image's fingerprint: that declaration), else itself. */
export function canonicalRef(ref: Address, project: string, ctx: PlanContext): Address {
  const { kind, name } = parseAddress(ref);
  return specs[kind]?.referencedAs?.(name, project, ctx) ?? ref;
}

/** The project the run works in. */
export function scopeOf(ctx: PlanContext): string {
  return ctx.manifest.project ?? 'default';
}

/** A project's config: as declared when it is declared (a project about to be created has no live one), else as LXD has it. */
export function projectConfig(project: string, ctx: PlanContext): Record<string, string> | undefined {
  return holder().config(project, ctx);
}

/** Whether objects of `kind` are inside the given project (default: the scope project), so they need it. */
export function inScope(kind: Kind, ctx: PlanContext, project = scopeOf(ctx)): boolean {
  return effectiveProject(kind, project, ctx) === project;
}

/** The project where LXD keeps `kind` for objects of the given project: the project itself, or the default project when the feature is off (resources/where.ts). */
export function effectiveProject(kind: Kind, project: string, ctx: PlanContext): string | undefined {
  return holdingProject(kind, project, projectConfig(project, ctx));
}

/** The address of the project an object lives in (the scope, or its own project:), for objects inside it (none for the default project: never created nor deleted). */
function scopeRef(kind: Kind, ctx: PlanContext, project: string): Address[] {
  return project !== 'default' && inScope(kind, ctx, project) ? [addressOf(holder().kind, project)] : [];
}

/**
 * Whether a reference of an object living in the given project names the object lxplan knows by that
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
  return [
    ...spec
      .refs(d)
      .map((r) => canonicalRef(r, project, ctx))
      .filter((r) => refersHere(r, project, ctx)),
    ...scopeRef(spec.kind, ctx, project),
  ];
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
  const projects = holder().kind;
  const projectGoes = changes.some((c) => c.kind === projects && c.name === scope && c.action === 'delete');
  if (!projectGoes) return changes;
  return changes.map((c) =>
    c.action === 'noop' && c.stateOp === 'remove' && c.kind !== projects && inScope(c.kind, ctx) && specs[c.kind].builtin(c.name)
      ? { ...c, reason: `no longer in the manifests: LXD deletes this built-in ${c.kind} with project "${scope}"` }
      : c,
  );
}

/**
 * The delete of the project that takes a live built-in object away with it (LXD deletes a
 * project's default profile with the project), and with it the object's use of `ref`: when the
 * plan deletes that project and leaves the object as it is. Not when `ref` lives in that project
 * too: it is deleted before the project, while the profile still uses it.
 */
export function releasedBy(kind: Kind, name: string, ref: Address, changes: readonly ResourceChange[], ctx: PlanContext): Address | undefined {
  if (!specs[kind].builtin(name)) return undefined;
  const home = liveProjectOf(kind, name, ctx.manifest, ctx.state);
  if (home === 'default' || !inScope(kind, ctx, home)) return undefined;
  const project = addressOf(holder().kind, home);
  if (!changes.some((c) => c.address === project && c.action === 'delete')) return undefined;
  const used = parseAddress(ref);
  if (effectiveProject(used.kind, liveProjectOf(used.kind, used.name, ctx.manifest, ctx.state), ctx) === home) return undefined;
  return project;
}

/** A delete of what a built-in object uses waits for the project delete that takes the object away (releasedBy). */
export function waitForProjectDeletes(changes: ResourceChange[], ctx: PlanContext): void {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const spec of Object.values<ResourceSpec>(specs)) {
    for (const [name, l] of Object.entries(spec.live(ctx.live))) {
      const own = byAddress.get(addressOf(spec.kind, name));
      if (own && (own.action !== 'noop' || own.desired)) continue;
      for (const ref of liveRefsOf(spec, name, l, ctx)) {
        const used = byAddress.get(ref);
        const by = used && (used.action === 'delete' || used.action === 'replace') ? releasedBy(spec.kind, name, ref, changes, ctx) : undefined;
        if (used && by && !used.dependsOn.includes(by)) used.dependsOn.push(by);
      }
    }
  }
}
