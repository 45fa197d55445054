/**
 * desired x live x state -> plan. Pure: no I/O, no clock, inputs never mutated, so it can be
 * tested from fixtures in milliseconds and replayed from files.
 *
 * Ownership rules (what makes a plan safe to trust):
 *  - only objects in the manifests or in state are looked at; anything else in LXD is never touched;
 *  - a manifest object whose name exists in LXD but is not in state is a conflict, never overwritten
 *    (except built-in objects such as the default profile, which are adopted);
 *  - an object in state but gone from the manifests is deleted (built-ins are only forgotten).
 */
import { LxplanError } from '../errors.js';
import { checkReferencesOffline } from '../manifest/index.js';
import { specs } from '../resources/index.js';
import { worstImpact } from '../resources/impact.js';
import type { LiveSnapshot, PlanContext, ResourceSpec } from '../resources/spec.js';
import { addressOf, KINDS, type Address, type DesiredObject, type Manifest } from '../resources/types.js';
import type { State } from '../state/model.js';
import { diffFields } from './diff.js';
import { summarise, type Plan, type ResourceChange } from './plan.js';

export interface PlanInput {
  manifest: Manifest;
  live: LiveSnapshot;
  state: State;
}

export function makeContext(input: PlanInput): PlanContext {
  const { manifest, live } = input;
  const liveAlias = new Map<string, string>();
  for (const img of live.images) for (const a of img.aliases ?? []) liveAlias.set(a.name, img.fingerprint);
  return {
    ...input,
    resolveImage(ref) {
      const d = manifest.images[ref];
      if (d) return d.fingerprint;
      const aliased = liveAlias.get(ref);
      if (aliased) return aliased;
      if (/^[0-9a-f]{12,64}$/.test(ref)) return live.images.find((i) => i.fingerprint.startsWith(ref))?.fingerprint;
      return undefined;
    },
    aliasOf(fp) {
      for (const d of Object.values(manifest.images)) if (d.fingerprint === fp) return d.name;
      return live.images.find((i) => i.fingerprint === fp)?.aliases?.[0]?.name;
    },
  };
}

/** Names of a kind in state. */
function managedNames(state: State, kind: string): string[] {
  return Object.values(state.resources).filter((e) => e.kind === kind).map((e) => e.name);
}

function planKind(spec: ResourceSpec, ctx: PlanContext, conflicts: LxplanError[]): ResourceChange[] {
  const desired = spec.desired(ctx.manifest) as Record<string, DesiredObject>;
  const live = spec.live(ctx.live) as Record<string, unknown>;
  const names = [...new Set([...Object.keys(desired), ...managedNames(ctx.state, spec.kind)])].sort();
  const out: ResourceChange[] = [];
  for (const name of names) {
    const address = addressOf(spec.kind, name);
    const d = desired[name];
    const l = live[name];
    const inState = address in ctx.state.resources;
    const base = { address, kind: spec.kind, name, fields: [], dependsOn: [] as Address[] };
    if (d && l === undefined) {
      out.push({
        ...base, action: 'create', stateOp: 'add', desired: d,
        fields: diffFields(spec.desiredFields(d, ctx), {}, () => ({ impact: 'live' })),
        stateAttributes: spec.stateAttributes(d, ctx),
        reason: inState ? 'was deleted outside lxplan' : undefined,
      });
    } else if (d && l !== undefined) {
      const adopt = !inState && spec.builtin(name);
      if (!inState && !adopt) {
        conflicts.push(new LxplanError('plan.conflict',
          `${spec.kind} "${name}" already exists in LXD and is not managed by lxplan; it will not be overwritten`,
          { location: d.at, hint: `rename it in the manifest, or remove the ${spec.kind} from LXD to let lxplan create it` }));
        continue;
      }
      const fields = diffFields(spec.desiredFields(d, ctx), spec.liveFields(l, ctx, d), (path) => spec.fieldImpact(path, l, d));
      const impact = worstImpact(fields.map((f) => f.impact));
      const action = impact === 'replace' ? 'replace' : fields.length > 0 ? 'update' : 'noop';
      const attrs = spec.stateAttributes(d, ctx);
      const recorded = ctx.state.resources[address]?.attributes ?? {};
      const attrsChanged = JSON.stringify(attrs) !== JSON.stringify(Object.fromEntries(Object.entries(recorded).filter(([k]) => k in attrs)));
      out.push({
        ...base, action, desired: d, fields,
        impact: action === 'noop' ? undefined : impact,
        stateOp: adopt || attrsChanged ? 'add' : 'keep',
        stateAttributes: attrs,
        reason: adopt ? `built-in ${spec.kind}: lxplan starts managing it` : undefined,
      });
    } else if (l !== undefined) {
      if (spec.builtin(name)) {
        out.push({ ...base, action: 'noop', stateOp: 'remove', reason: `no longer in the manifests: lxplan stops managing this built-in ${spec.kind} and leaves it as it is` });
      } else {
        out.push({ ...base, action: 'delete', stateOp: 'remove' });
      }
    } else {
      out.push({ ...base, action: 'noop', stateOp: 'remove', reason: 'already gone from LXD' });
    }
  }
  return out;
}

/** Creates wait for what they reference; deletes wait for the changes of whatever still uses them. */
function linkDependencies(changes: ResourceChange[], ctx: PlanContext): void {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const c of changes) {
    if (!c.desired || c.action === 'noop') continue;
    for (const ref of specs[c.kind].refs(c.desired)) {
      const dep = byAddress.get(ref);
      if (dep && (dep.action === 'create' || dep.action === 'replace') && !c.dependsOn.includes(ref)) c.dependsOn.push(ref);
    }
  }
  for (const kind of KINDS) {
    const spec = specs[kind];
    for (const [name, l] of Object.entries(spec.live(ctx.live))) {
      const user = byAddress.get(addressOf(kind, name));
      if (!user || user.action === 'noop' || user.action === 'create') continue;
      for (const ref of spec.liveRefs(l)) {
        const used = byAddress.get(ref);
        if (used && (used.action === 'delete' || used.action === 'replace') && !used.dependsOn.includes(user.address)) used.dependsOn.push(user.address);
      }
    }
  }
}

/** A deleted object still used by something lxplan does not change would make LXD refuse the delete. */
function checkDeletesUnused(changes: ResourceChange[], ctx: PlanContext, errors: LxplanError[]): void {
  const deleting = new Set(changes.filter((c) => c.action === 'delete').map((c) => c.address));
  const changing = new Map(changes.map((c) => [c.address, c]));
  for (const kind of KINDS) {
    const spec = specs[kind];
    for (const [name, l] of Object.entries(spec.live(ctx.live))) {
      const address = addressOf(kind, name);
      const c = changing.get(address);
      if (c && (c.action === 'delete' || c.action === 'replace')) continue;
      const stillUses = c?.desired ? new Set(spec.refs(c.desired)) : new Set(spec.liveRefs(l));
      for (const ref of spec.liveRefs(l)) {
        if (deleting.has(ref) && stillUses.has(ref)) {
          errors.push(new LxplanError('plan.conflict',
            `${ref.replace('.', ' "')}" cannot be deleted: ${kind} "${name}" uses it${c ? '' : ' and is not managed by lxplan'}`,
            { hint: c ? `remove it from ${kind} "${name}" in the manifest too` : `detach it from ${kind} "${name}" first, or keep it in the manifests` }));
        }
      }
    }
  }
}

function checkReferences(ctx: PlanContext): LxplanError[] {
  const goingAway = (kind: string) => new Set(managedNames(ctx.state, kind).filter((n) => !(kind === 'profile' ? ctx.manifest.profiles[n] : ctx.manifest.images[n])));
  const profilesGone = goingAway('profile');
  const imagesGone = goingAway('image');
  const profiles = new Set(Object.keys(ctx.live.profiles).filter((n) => !profilesGone.has(n)));
  const images = new Set<string>();
  for (const img of ctx.live.images) for (const a of img.aliases ?? []) if (!imagesGone.has(a.name)) images.add(a.name);
  for (const inst of Object.values(ctx.manifest.instances)) {
    if (!ctx.manifest.images[inst.image] && !images.has(inst.image) && /^[0-9a-f]{12,64}$/.test(inst.image) && ctx.resolveImage(inst.image)) images.add(inst.image);
  }
  return checkReferencesOffline(ctx.manifest, { profiles, images });
}

function throwAll(errors: LxplanError[]): void {
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  throw new LxplanError(first.code, first.message, { location: first.location, hint: first.hint, more: [...first.more, ...rest] });
}

export function plan(input: PlanInput): Plan {
  const ctx = makeContext(input);
  throwAll(checkReferences(ctx));
  const errors: LxplanError[] = [];
  const changes = KINDS.flatMap((k) => planKind(specs[k], ctx, errors));
  throwAll(errors);
  linkDependencies(changes, ctx);
  checkDeletesUnused(changes, ctx, errors);
  throwAll(errors);
  return { formatVersion: 1, changes, summary: summarise(changes) };
}
