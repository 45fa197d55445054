/**
 * `project:` on an object, in the plan (see resources/object-project.ts for where objects are
 * looked for): the project a change is made in, a moved object's replace, and the checks that a
 * declared project exists and that an object's references are where LXD will look for them.
 */
import { LxplanError } from '../errors.js';
import { declaredProject, desiredProjectOf, liveProjectOf, PER_OBJECT_PROJECT } from '../resources/object-project.js';
import { specs } from '../resources/index.js';
import type { PlanContext } from '../resources/spec.js';
import { parseAddress, type DesiredObject, type Kind } from '../resources/types.js';
import type { FieldChange, ResourceChange } from './plan.js';
import { canonicalRef, effectiveProject, holder, projectField, scopeOf, WHERE } from './scope.js';

/** A declared object whose project differs from where it lives: a new object in the other project (a replace). */
export function moveField(kind: Kind, liveName: string, d: DesiredObject, ctx: PlanContext): FieldChange | undefined {
  if (!PER_OBJECT_PROJECT.has(kind)) return undefined;
  const from = liveProjectOf(kind, liveName, ctx.manifest, ctx.state);
  const to = desiredProjectOf(d, ctx.manifest);
  if (from === to) return undefined;
  return {
    path: projectField(),
    before: from,
    after: to,
    impact: 'replace',
    note: `a new ${kind} is made in project "${to}" and the one in project "${from}" is deleted (what it held is lost)`,
  };
}

/** A create outside the scope project says where. */
export function projectCreateField(d: DesiredObject, ctx: PlanContext): FieldChange[] {
  if (!PER_OBJECT_PROJECT.has(d.kind)) return [];
  const p = desiredProjectOf(d, ctx.manifest);
  return p === scopeOf(ctx) ? [] : [{ path: projectField(), after: p, impact: 'live' }];
}

/**
 * Every change learns the project it is made in, when not the scope, and a move the project it
 * leaves: where LXD keeps the object (resources/where.ts), so a profile of a scope without
 * profiles of its own is made and deleted in the default project, not through the scope project
 * (which may not exist yet, or any more). The executor's client for the change comes from this.
 */
export function placeChanges(changes: ResourceChange[], ctx: PlanContext): ResourceChange[] {
  const scope = scopeOf(ctx);
  return changes.map((c) => {
    const home = liveProjectOf(c.kind, c.renamedFrom ?? c.name, ctx.manifest, ctx.state);
    const from = effectiveProject(c.kind, home, ctx) ?? home;
    const to = c.desired ? (effectiveProject(c.kind, desiredProjectOf(c.desired, ctx.manifest), ctx) ?? desiredProjectOf(c.desired, ctx.manifest)) : from;
    if (to === scope && from === scope) return c;
    return { ...c, ...(to !== scope ? { project: to } : {}), ...(from !== to ? { fromProject: from } : {}) };
  });
}

/**
 * Objects with project: — the project exists or is declared; a rename is not also a move; and
 * what each object references is where LXD looks for it from the object's project: LXD resolves
 * an instance's profiles, image, networks and volumes in its own project (or the default project
 * when that project's feature is off). lxplan manages those in the scope only, so they must be
 * found in the same place from both projects; the profile default is always the project's own.
 */
export function checkObjectProjects(ctx: PlanContext): LxplanError[] {
  const errors: LxplanError[] = [];
  const scope = scopeOf(ctx);
  for (const kind of PER_OBJECT_PROJECT) {
    const spec = specs[kind];
    for (const d of Object.values(spec.desired(ctx.manifest))) {
      const p = desiredProjectOf(d, ctx.manifest);
      const at = d.keyAt?.project ?? d.at;
      if (p !== scope && p !== 'default' && holder().exists(p, ctx) === false) {
        errors.push(
          new LxplanError('plan.conflict', `${kind} "${d.name}": LXD project "${p}" does not exist`, {
            location: at,
            hint: `declare it under projects: (lxplan then creates it before the ${kind}), or create it: lxc project create ${p}`,
          }),
        );
        continue;
      }
      if (p !== scope && effectiveProject(kind, p, ctx) !== p) {
        errors.push(
          new LxplanError(
            'plan.conflict',
            `${kind} "${d.name}": project "${p}" has no ${kind}s of its own (${WHERE[kind]} is off): LXD would keep it in the default project`,
            {
              location: at,
              hint: `turn ${WHERE[kind]} on for project "${p}" (while it is empty), or leave out project:`,
            },
          ),
        );
        continue;
      }
      const blocked = ctx.live.movesBlocked?.[`${kind}.${d.name}`];
      if (blocked !== undefined) {
        errors.push(
          new LxplanError('plan.conflict', `${kind} "${d.name}" cannot move to project "${blocked}": it has an unmanaged ${kind} of that name already`, {
            location: at,
            hint: `rename one of them, or remove the ${kind} from project "${blocked}" first`,
          }),
        );
      }
      if (d.renamedFrom && ctx.state.resources[`${kind}.${d.renamedFrom}`] && liveProjectOf(kind, d.renamedFrom, ctx.manifest, ctx.state) !== p) {
        errors.push(
          new LxplanError('plan.conflict', `${kind} "${d.name}" is renamed (renamed_from: ${d.renamedFrom}) and moved to project "${p}" at once`, {
            location: at,
            hint: 'rename it in one apply, then move it in another',
          }),
        );
      }
      for (const ref of spec.refs(d).map((r) => canonicalRef(r, p, ctx))) {
        const { kind: refKind, name } = parseAddress(ref);
        // A built-in object (the default profile) is each project's own.
        if (specs[refKind].builtin(name)) continue;
        const mine = effectiveProject(refKind, p, ctx);
        if (mine === undefined) continue;
        // Where the referenced object lives: its own project: (or where it was made), else the scope; then where LXD keeps that kind for it.
        const followsItsInstance = WHERE[refKind] !== 'global' && !WHERE[refKind].startsWith('features.');
        const theirs = effectiveProject(refKind, declaredProject(refKind, name, ctx.manifest) ?? liveProjectOf(refKind, name, ctx.manifest, ctx.state), ctx);
        if (mine === theirs) continue;
        const word = refKind.replace('_', ' ');
        errors.push(
          new LxplanError(
            'manifest.reference',
            `${kind} "${d.name}" is in project "${p}" and uses ${word} "${name}", which is in project "${theirs}": LXD looks for it in project "${mine}"`,
            {
              location: at,
              hint: followsItsInstance
                ? `put both in the same project`
                : `an object with project: uses what is found from the directory's scope too: give project "${p}" the same ${featureOf(refKind)} setting as "${scope}", or put the ${kind} in its own directory with a top-level project: ${p}`,
            },
          ),
        );
      }
    }
  }
  return errors;
}

/** The project feature that keeps `kind` in its project ("features" when none does). */
function featureOf(kind: Kind): string {
  return WHERE[kind].startsWith('features.') ? WHERE[kind] : 'features';
}
