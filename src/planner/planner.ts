/**
 * desired x live x state -> plan. Pure: no I/O, no clock, inputs never mutated, so it can be
 * tested from fixtures in milliseconds and replayed from files.
 *
 * Ownership rules (what makes a plan safe to trust):
 *  - only objects in the manifests or in state are looked at; anything else in LXD is never touched;
 *  - a manifest object whose name exists in LXD but is not in state is a conflict, never overwritten
 *    (except built-in objects such as the default profile, which are adopted);
 *  - an object in state but gone from the manifests is deleted (built-ins are only forgotten);
 *  - a protected object is never destroyed, by any route.
 */
import { LxplanError } from '../errors.js';
import { serverInfo } from '../lxd/server.js';
import { checkReferencesOffline } from '../manifest/index.js';
import { specs } from '../resources/index.js';
import { worstImpact } from '../resources/impact.js';
import { PENDING_RESTART, type FieldImpact, type LiveSnapshot, type PlanContext, type ResourceSpec } from '../resources/spec.js';
import { KINDS, registry } from '../resources/registry.js';
import { addressOf, parseAddress, type Address, type DesiredObject, type Kind, type Manifest } from '../resources/types.js';
import type { State, StateEntry } from '../state/model.js';
import { diffFields } from './diff.js';
import { driftOf, recordFields, redact, sensitivePaths } from './fields.js';
import { summarise, type FieldChange, type Plan, type PlanOptions, type ResourceChange } from './plan.js';
import { selectTargets } from './targets.js';
import { desiredRefs, holder, liveRefsOf, noteBuiltinsGoingWithProject, releasedBy, scopeOf, waitForProjectDeletes } from './scope.js';
import { checkObjectProjects, moveField, placeChanges, projectCreateField } from './object-projects.js';
import { projectAttributes } from '../resources/object-project.js';
import { orderSharedIdentities } from './identities.js';

export interface PlanInput {
  manifest: Manifest;
  live: LiveSnapshot;
  state: State;
  options?: PlanOptions;
  /** What follows `lxplan import KIND NAME` in a conflict's hint: this run's path and flags (" infra --project p"). */
  importArgs?: string;
}

export function makeContext(input: PlanInput): PlanContext {
  const { manifest, live } = input;
  // The kinds add their own functions (an image's resolveImage and aliasOf).
  const ctx = { manifest, live, state: input.state } as PlanContext;
  for (const e of registry) Object.assign(ctx, e.spec.planContext?.(ctx));
  return ctx;
}

/** Names of a kind in state. */
function managedNames(state: State, kind: string): string[] {
  return Object.values(state.resources)
    .filter((e) => e.kind === kind)
    .map((e) => e.name);
}

const PENDING = PENDING_RESTART;

/** Fields whose restart cannot wait for the next start: a rename (LXD renames stopped instances only) and a move between cluster members (stop, move, start). */
const AT_ONCE = new Set(['name', 'target']);

/** Splits "a,b" into keys; undefined and "" give none. */
function keyList(s: string | undefined): string[] {
  return s ? s.split(',').filter(Boolean) : [];
}

/** A field's impact with the kind's warning about its value added to the note. */
function withNote(fi: FieldImpact, note: string | undefined): FieldImpact {
  return note === undefined ? fi : { ...fi, note: fi.note ? `${fi.note}; ${note}` : note };
}

interface KindPlanner {
  spec: ResourceSpec;
  ctx: PlanContext;
  options: PlanOptions;
  errors: LxplanError[];
  /** Objects that exist in LXD unmanaged under a manifest name: reported unless --target leaves them out. */
  conflicts: Array<{ address: Address; error: LxplanError }>;
  importArgs?: string;
}

/** An object in both the manifests and LXD: update, replace, noop; with restart, drift and blast radius. */
function planExisting(k: KindPlanner, name: string, d: DesiredObject, l: unknown, entry: StateEntry | undefined, renamedFrom?: string): ResourceChange {
  const { spec, ctx, options } = k;
  const address = addressOf(spec.kind, name);
  const adopt = !entry && spec.builtin(name);
  const secret = sensitivePaths(d);
  let fields = redact(
    diffFields(
      spec.desiredFields(d, ctx),
      spec.liveFields(l, ctx, d),
      (path) => withNote(spec.fieldImpact(path, l, d), spec.fieldNote?.(path, d, ctx)),
      spec.leadingFields,
    ),
    secret,
  );
  // The kind says what a rename does to the object (an instance: LXD renames stopped instances only).
  if (renamedFrom) fields = [{ path: 'name', before: renamedFrom, after: name, ...spec.fieldImpact('name', l, d) }, ...fields];
  const moved = moveField(spec.kind, renamedFrom ?? name, d, ctx);
  if (moved) fields = [moved, ...fields];
  for (const f of fields) {
    const refused = spec.refuse?.(f.path, l, d, ctx);
    if (refused) {
      const { why, hint } =
        typeof refused === 'string'
          ? { why: refused, hint: 'leave it as it is; or empty the project first (apply without its contents), then change it' }
          : refused;
      k.errors.push(new LxplanError('plan.conflict', `${spec.kind} "${name}": ${f.path} cannot change: ${why}`, { location: d.keyAt?.[f.path] ?? d.at, hint }));
    }
  }
  const usedBy = fields.length > 0 ? spec.affects?.(name, l, d, ctx) : undefined;
  const impacts = [...fields.map((f) => f.impact), ...(usedBy ?? []).flatMap((u) => (u.impact ? [u.impact] : []))];
  let impact = worstImpact(impacts);
  let action: ResourceChange['action'] = impact === 'replace' ? 'replace' : fields.length > 0 ? 'update' : 'noop';

  // Restarts: a running instance with restart-impact changes (now or left pending by an earlier apply),
  // or a change that restarts it at once (a rename). Each restart is allowed (--allow-restart,
  // restart: auto) or not; one not allowed waits for the next start, or, when it cannot wait, is
  // `required`: lxapply refuses it unless confirmed (workflow/guards.ts).
  const attrs: Record<string, string> = { ...spec.stateAttributes(d, ctx), ...projectAttributes(d, ctx.manifest) };
  let restart: ResourceChange['restart'];
  let reason: string | undefined = adopt
    ? `built-in ${spec.kind}: lxplan starts managing it`
    : entry?.attributes?.intent
      ? `made by an interrupted apply (${entry.attributes.intent}): lxplan manages it`
      : undefined;
  const pendingBefore = keyList(entry?.attributes?.[PENDING]);
  const atOnce = fields.some((f) => AT_ONCE.has(f.path) && f.impact === 'restart');
  if (action !== 'replace' && (atOnce || spec.isRunning?.(l, d))) {
    const needs = spec.isRunning?.(l, d)
      ? [...new Set([...pendingBefore, ...fields.filter((f) => f.impact === 'restart' && !AT_ONCE.has(f.path)).map((f) => f.path.replace(/^config\./, ''))])]
      : [];
    if (atOnce || needs.length > 0) {
      const allowed = options.allowRestart || Boolean(spec.restartAllowed?.(d));
      restart = allowed ? 'now' : atOnce ? 'required' : 'pending';
      if (restart === 'pending') attrs[PENDING] = needs.join(',');
      if (action === 'noop') {
        if (allowed) {
          action = 'update';
          impact = 'restart';
          reason = `restart pending since an earlier apply: ${needs.join(', ')}`;
        } else {
          reason = `restart pending since an earlier apply: ${needs.join(', ')} (lxapply --allow-restart restarts it)`;
        }
      }
    }
  }
  const recorded = entry?.attributes ?? {};
  const attrsChanged = JSON.stringify(Object.entries(attrs).sort()) !== JSON.stringify(Object.entries(recorded).sort());
  const drift = entry ? driftOf(spec, l, d, entry, ctx, secret) : [];
  const stateFields = recordFields(spec.desiredFields(d, ctx), secret);
  const fieldsChanged = JSON.stringify(stateFields) !== JSON.stringify(entry?.fields ?? {});
  return {
    address,
    kind: spec.kind,
    name,
    action,
    desired: d,
    fields,
    dependsOn: [],
    impact: action === 'noop' ? undefined : impact,
    liveDigest: spec.digest(l),
    stateOp: adopt || attrsChanged || fieldsChanged || renamedFrom ? 'add' : 'keep',
    stateAttributes: attrs,
    stateFields,
    ...(reason ? { reason } : {}),
    ...(restart ? { restart } : {}),
    ...(drift.length > 0 ? { drift } : {}),
    ...(usedBy && usedBy.length > 0 ? { usedBy } : {}),
    ...(renamedFrom ? { renamedFrom } : {}),
  };
}

function planKind(k: KindPlanner): ResourceChange[] {
  const { spec, ctx } = k;
  const desired = spec.desired(ctx.manifest);
  const live = spec.live(ctx.live);
  // Old names consumed by a rename are planned with the new name, not deleted.
  // (renamed_from, or a rename the kind recognises: an image's new key for the same bytes.)
  const renames = new Map<string, string>();
  for (const d of Object.values(desired)) {
    const from = d.renamedFrom ?? spec.impliedRename?.(d, ctx);
    if (
      from &&
      !renames.has(from) &&
      live[d.name] === undefined &&
      live[from] !== undefined &&
      addressOf(spec.kind, from) in ctx.state.resources &&
      !desired[from]
    )
      renames.set(from, d.name);
  }
  const renamedFromOf = new Map([...renames].map(([from, to]) => [to, from]));
  const names = [...new Set([...Object.keys(desired), ...managedNames(ctx.state, spec.kind)])].filter((n) => !renames.has(n)).sort();
  const out: ResourceChange[] = [];
  for (const name of names) {
    const address = addressOf(spec.kind, name);
    const declared = desired[name];
    const renamedFrom = declared ? renamedFromOf.get(name) : undefined;
    const l = renamedFrom ? live[renamedFrom] : live[name];
    const entry = ctx.state.resources[renamedFrom ? addressOf(spec.kind, renamedFrom) : address];
    // A kind may complete the desired object from its state entry (the server config: keys to unset).
    const d = spec.withRecord && l !== undefined ? spec.withRecord(declared, entry) : declared;
    const base = { address, kind: spec.kind, name, fields: [] as FieldChange[], dependsOn: [] as Address[] };
    if (d && l === undefined) {
      const secret = sensitivePaths(d);
      const desiredFields = spec.desiredFields(d, ctx);
      out.push({
        ...base,
        action: 'create',
        stateOp: 'add',
        desired: d,
        fields: [
          ...projectCreateField(d, ctx),
          ...redact(
            diffFields(desiredFields, {}, (path) => withNote({ impact: 'live' }, spec.fieldNote?.(path, d, ctx)), spec.leadingFields),
            secret,
          ),
        ],
        stateAttributes: { ...spec.stateAttributes(d, ctx), ...projectAttributes(d, ctx.manifest) },
        stateFields: recordFields(desiredFields, secret),
        ...(entry
          ? { reason: entry.attributes?.intent ? `an interrupted apply did not finish: ${entry.attributes.intent} again` : 'was deleted outside lxplan' }
          : {}),
      });
    } else if (d && l !== undefined) {
      if (!entry && !spec.builtin(name)) {
        k.conflicts.push({
          address,
          error: new LxplanError('plan.conflict', `${spec.kind} "${name}" already exists in LXD and is not managed by lxplan; it will not be overwritten`, {
            location: d.at,
            hint: `to manage the ${spec.kind} LXD has, as it is (nothing is lost): lxplan import ${spec.kind} ${name}${k.importArgs ?? ''}; or rename it in the manifest, or remove the ${spec.kind} from LXD to let lxplan create it`,
          }),
        });
        continue;
      }
      const change = planExisting(k, name, d, l, entry, renamedFrom);
      // Completed from the state alone: the manifests dropped it, so the state forgets it after this change.
      out.push(
        declared
          ? change
          : { ...change, stateOp: 'remove', reason: `no longer in the manifests: lxplan undoes what it set and stops managing this ${spec.kind}` },
      );
    } else if (l !== undefined) {
      if (spec.builtin(name)) {
        out.push({
          ...base,
          action: 'noop',
          stateOp: 'remove',
          reason: `no longer in the manifests: lxplan stops managing this built-in ${spec.kind} and leaves it as it is`,
        });
      } else {
        out.push({ ...base, action: 'delete', stateOp: 'remove', liveDigest: spec.digest(l) });
      }
    } else {
      out.push({ ...base, action: 'noop', stateOp: 'remove', reason: 'already gone from LXD' });
    }
  }
  return out;
}

/**
 * Creates wait for what they reference. Any change of an object waits for the update of what it
 * uses or will use: LXD applies a profile update to every instance using it at once, and fails
 * with "instance is busy" for an instance being created, started or stopped meanwhile (found by
 * the chaos suite). Deletes wait for the changes of whatever still uses them.
 */
function linkDependencies(changes: ResourceChange[], ctx: PlanContext): void {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const c of changes) {
    if (c.action === 'noop') continue;
    const spec = specs[c.kind];
    const l = spec.live(ctx.live)[c.renamedFrom ?? c.name];
    const wants = c.desired ? desiredRefs(spec, c.desired, ctx) : [];
    const refs = new Set([...wants, ...(l !== undefined ? liveRefsOf(spec, c.renamedFrom ?? c.name, l, ctx) : [])]);
    for (const ref of refs) {
      const dep = byAddress.get(ref);
      if (!dep || c.dependsOn.includes(ref)) continue;
      const needed = wants.includes(ref) && (dep.action === 'create' || dep.action === 'replace');
      if (needed || dep.action === 'update') c.dependsOn.push(ref);
    }
  }
  for (const c of changes) {
    if (c.action !== 'delete') continue;
    const spec = specs[c.kind];
    const l = spec.live(ctx.live)[c.name];
    for (const a of l !== undefined ? (spec.deleteAfter?.(l, ctx) ?? []) : []) {
      if (byAddress.get(a)?.action === 'delete' && !c.dependsOn.includes(a)) c.dependsOn.push(a);
    }
  }
  for (const kind of KINDS) {
    const spec = specs[kind];
    for (const [name, l] of Object.entries(spec.live(ctx.live))) {
      const user = byAddress.get(addressOf(kind, name)) ?? changes.find((c) => c.renamedFrom === name && c.kind === kind);
      if (!user || user.action === 'noop' || user.action === 'create') continue;
      for (const ref of liveRefsOf(spec, name, l, ctx)) {
        const used = byAddress.get(ref);
        // (Not when the user waits for it already: both replaced at once; LXD then refuses the delete while it is in use.)
        if (used && (used.action === 'delete' || used.action === 'replace') && !used.dependsOn.includes(user.address) && !user.dependsOn.includes(used.address))
          used.dependsOn.push(user.address);
      }
    }
  }
}

/**
 * A deleted object still used by something lxplan does not change would make LXD refuse the
 * delete; so would a replaced one (a network, pool or volume is deleted before it is made again).
 */
function checkDeletesUnused(changes: ResourceChange[], ctx: PlanContext, errors: LxplanError[]): void {
  const deleting = new Map(changes.filter((c) => c.action === 'delete' || c.action === 'replace').map((c) => [c.address, c.action]));
  const changing = new Map(changes.map((c) => [c.renamedFrom ? addressOf(c.kind, c.renamedFrom) : c.address, c]));
  for (const kind of KINDS) {
    const spec = specs[kind];
    // (Snapshots go with their instance: see followInstanceSnapshots.)
    if (spec.partOfReferenced) continue;
    for (const [name, l] of Object.entries(spec.live(ctx.live))) {
      const c = changing.get(addressOf(kind, name));
      if (c?.action === 'delete') continue;
      const stillUses = c?.desired ? new Set(desiredRefs(spec, c.desired, ctx)) : new Set(liveRefsOf(spec, name, l, ctx));
      for (const ref of liveRefsOf(spec, name, l, ctx)) {
        // A built-in deleted with its project lets go when the project goes (the delete waits for it).
        if (!c?.desired && releasedBy(kind, name, ref, changes, ctx)) continue;
        // A user replaced too lets go of what is deleted (it waits), not of what is replaced (each replace is one step).
        if (c?.action === 'replace' && deleting.get(ref) !== 'replace') continue;
        if (deleting.has(ref) && stillUses.has(ref)) {
          const replaced = deleting.get(ref) === 'replace';
          const holds = parseAddress(ref).kind === holder().kind;
          errors.push(
            new LxplanError(
              'plan.conflict',
              `${ref.replace('.', ' "')}" cannot be ${replaced ? 'replaced (LXD deletes it first)' : 'deleted'}: ${kind} "${name}" ${holds ? 'is in it (LXD deletes only empty projects)' : 'uses it'}${c ? '' : ' and is not managed by lxplan'}`,
              {
                hint: holds
                  ? c
                    ? `remove ${kind} "${name}" from the manifests too, or keep the project`
                    : `delete ${kind} "${name}" from the project first (or lxplan import it and remove it), or keep the project in the manifests`
                  : replaced
                    ? `detach it from ${kind} "${name}" first (apply without it), then make the change that replaces it`
                    : c
                      ? `remove it from ${kind} "${name}" in the manifest too`
                      : `detach it from ${kind} "${name}" first, or keep it in the manifests`,
              },
            ),
          );
        }
      }
    }
  }
}

/** Objects LXD will not delete while they hold something the plan does not delete first (a project's contents). */
function checkDeleteBlockers(changes: ResourceChange[], ctx: PlanContext, errors: LxplanError[]): void {
  for (const c of changes) {
    if (c.action !== 'delete' && c.action !== 'replace') continue;
    const spec = specs[c.kind];
    const l = spec.live(ctx.live)[c.name];
    const blockers = l === undefined ? [] : (spec.deleteBlockers?.(c.name, l, ctx) ?? []);
    if (blockers.length === 0) continue;
    const shown = blockers.length <= 5 ? blockers.join(', ') : `${blockers.slice(0, 5).join(', ')} and ${blockers.length - 5} more`;
    errors.push(
      new LxplanError(
        'plan.conflict',
        `${c.kind} "${c.name}" cannot be ${c.action === 'delete' ? 'deleted' : 'replaced'}: LXD deletes only empty ${c.kind}s, and it holds ${shown}, which this plan does not delete`,
        { hint: `delete ${blockers.length === 1 ? 'it' : 'them'} first (they are not managed by this configuration), or keep the ${c.kind} in the manifests` },
      ),
    );
  }
}

/**
 * The project the run works in must exist, or be declared here (then it is created first). A
 * plan with nothing to put in it (--destroy, an empty directory) needs neither.
 */
function checkScopeExists(ctx: PlanContext, errors: LxplanError[]): void {
  const scope = scopeOf(ctx);
  const projects = holder();
  if (scope === 'default' || projects.exists(scope, ctx) !== false) return;
  const declaresSomething = KINDS.some((kind) => kind !== projects.kind && Object.keys(specs[kind].desired(ctx.manifest)).length > 0);
  if (!declaresSomething) return;
  errors.push(
    new LxplanError('plan.conflict', `LXD project "${scope}" does not exist`, {
      location: ctx.manifest.projectAt,
      hint: `declare it under projects: (lxplan then creates it before everything in it), or create it: lxc project create ${scope}`,
    }),
  );
}

/** Protected objects are never destroyed: not by a replace, a removal from the manifests or --destroy. */
function checkProtected(changes: ResourceChange[], ctx: PlanContext, errors: LxplanError[]): void {
  for (const c of changes) {
    if (c.action !== 'delete' && c.action !== 'replace') continue;
    const spec = specs[c.kind];
    const l = spec.live(ctx.live)[c.name];
    if (!spec.isProtected?.(l, c.desired)) continue;
    errors.push(
      new LxplanError(
        'plan.guard',
        `${c.kind} "${c.name}" is protected (protect: true / security.protection.delete) and this plan would ${c.action === 'delete' ? 'delete' : 'replace'} it`,
        {
          location: c.desired?.at,
          hint: `to destroy it on purpose, first set protect: false (and apply), then ${c.action === 'delete' ? 'remove it' : 'make the change'}`,
        },
      ),
    );
  }
}

function checkReferences(ctx: PlanContext): LxplanError[] {
  // What lxplan manages and the manifests no longer declare is about to go (built-ins stay): it does not count.
  const goingAway = (kind: Kind) =>
    new Set(managedNames(ctx.state, kind).filter((n) => !(specs[kind].desired(ctx.manifest) as Record<string, unknown>)[n] && !specs[kind].builtin(n)));
  // Each kind says which names references to it may use (a profile's, or an image's aliases).
  const known = Object.assign({}, ...registry.map((e) => e.spec.referableNames?.(ctx, goingAway(e.kind)) ?? {})) as Parameters<
    typeof checkReferencesOffline
  >[1];
  // And the names each kind still has in LXD after this plan, for the references other kinds make to it by name (namedIn).
  const staying = (kind: Kind) => {
    const gone = goingAway(kind);
    return new Set(Object.keys(specs[kind].live(ctx.live)).filter((n) => !gone.has(n)));
  };
  return [
    ...checkReferencesOffline(ctx.manifest, known, Object.fromEntries(KINDS.map((k) => [k, staying(k)]))),
    ...registry.flatMap((e) => e.spec.checkPlan?.(ctx, goingAway(e.kind)) ?? []),
  ];
}

/**
 * With --target, a conflict elsewhere does not stop the plan (`lxplan import` of one object plans
 * just that one): only conflicts of a target, or of what a target needs, are reported.
 */
function relevantConflicts(conflicts: KindPlanner['conflicts'], changes: ResourceChange[], targets: string[] | undefined): LxplanError[] {
  if (!targets || targets.length === 0) return conflicts.map((c) => c.error);
  const named = (address: Address) => targets.some((t) => t === address || t === address.slice(address.indexOf('.') + 1));
  const targeted = changes.filter((c) => named(c.address));
  const needed = new Set(targeted.flatMap((c) => (c.desired ? specs[c.kind].refs(c.desired) : [])));
  return conflicts.filter((c) => named(c.address) || needed.has(c.address)).map((c) => c.error);
}

function throwAll(errors: LxplanError[]): void {
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  throw new LxplanError(first.code, first.message, { location: first.location, hint: first.hint, more: [...first.more, ...rest] });
}

/** The manifest declaring nothing (--destroy): where it is and its project, and each kind's map of objects (what the kind's spec.desired reads) empty. */
export function emptyManifest(m: Manifest): Manifest {
  const maps = new Set<unknown>(registry.map((e) => e.spec.desired(m)));
  const empty = Object.fromEntries(
    Object.entries(m)
      .filter(([, v]) => maps.has(v))
      .map(([k]) => [k, {}]),
  );
  return {
    dir: m.dir,
    files: m.files,
    ...empty,
    ...(m.project !== undefined ? { project: m.project } : {}),
    ...(m.projectAt ? { projectAt: m.projectAt } : {}),
  } as Manifest;
}

export function plan(input: PlanInput): Plan {
  const options = input.options ?? {};
  const ctx = makeContext(options.destroy ? { ...input, manifest: emptyManifest(input.manifest) } : input);
  throwAll(checkReferences(ctx));
  const errors: LxplanError[] = [];
  checkScopeExists(ctx, errors);
  errors.push(...checkObjectProjects(ctx));
  const conflicts: KindPlanner['conflicts'] = [];
  let changes = KINDS.flatMap((kind) => planKind({ spec: specs[kind], ctx, options, errors, conflicts, importArgs: input.importArgs }));
  throwAll([...errors, ...relevantConflicts(conflicts, changes, options.targets)]);
  // Passes the kinds make once every kind is planned, users before what they use (snapshots follow their instance; a profile's restarts reach its instances).
  for (const e of [...registry].reverse()) if (e.spec.afterPlan) changes = e.spec.afterPlan(changes, ctx, options);
  linkDependencies(changes, ctx);
  waitForProjectDeletes(changes, ctx);
  changes = noteBuiltinsGoingWithProject(changes, ctx);
  changes = placeChanges(changes, ctx);
  if (options.targets && options.targets.length > 0) changes = selectTargets(changes, options.targets);
  orderSharedIdentities(changes, ctx);
  checkDeletesUnused(changes, ctx, errors);
  checkDeleteBlockers(changes, ctx, errors);
  checkProtected(changes, ctx, errors);
  throwAll(errors);
  return {
    formatVersion: 1,
    changes,
    summary: summarise(changes),
    state: { lineage: input.state.lineage, serial: input.state.serial },
    ...(input.live.server ? { daemon: serverInfo(input.live.server).kind } : {}),
    options,
  };
}
