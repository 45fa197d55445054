/**
 * Profiles. Every profile field can change in place; LXD applies the new profile to the
 * instances using it at once. The `default` profile always exists: declaring it adopts it,
 * removing it from the manifests stops managing it, and it is never deleted.
 */
import { usesScopeProfiles } from './uses-scope.js';
import type { AffectedInstance } from '../../planner/plan.js';
import { diffFields } from '../../planner/diff.js';
import type { ConfigMap, DeviceMap, LxdInstance, LxdProfile } from '../../lxd/types.js';
import { configFields, deviceFields, digestOf, field } from '../fields.js';
import { worstImpact } from '../impact.js';
import { deviceRefs } from '../devices.js';
import { diskSizeNote, instanceSpec, instanceState } from '../instance/spec.js';
import type { Fields, PlanContext, ResourceSpec } from '../spec.js';
import { addressOf, type DesiredInstance, type DesiredProfile } from '../types.js';
import { carryProfileRestarts } from './restarts.js';

export const profileSpec: ResourceSpec<DesiredProfile, LxdProfile> = {
  kind: 'profile',
  desired: (m) => m.profiles,
  live: (s) => s.profiles,
  desiredFields(d) {
    const f: Fields = { description: field(d.description) };
    configFields(d.config, f);
    deviceFields(d.devices, f);
    return f;
  },
  liveFields(l) {
    const f: Fields = { description: field(l.description ?? '') };
    configFields(l.config ?? {}, f);
    deviceFields(l.devices ?? {}, f);
    return f;
  },
  fieldImpact: () => ({ impact: 'live' }),
  // The networks, pools and volumes its devices name: created before it, deleted after it lets go.
  refs: (d) => deviceRefs(d.devices),
  liveRefs: (l) => deviceRefs(l.devices ?? {}),
  fieldNote: (path, d, ctx) => diskSizeNote(path, d.devices, ctx),
  builtin: (name) => name === 'default',
  stateAttributes: () => ({}),
  affects: blastRadius,
  digest: (l) => digestOf({ description: l.description ?? '', config: l.config ?? {}, devices: l.devices ?? {} }),
  // --- planner hooks ---
  referableNames: (ctx, gone) => ({ profiles: new Set(Object.keys(ctx.live.profiles).filter((n) => !gone.has(n))) }),
  afterPlan: (changes, ctx, options) => carryProfileRestarts(changes, ctx, options),
};

/** An instance's expanded config and devices: its profiles in order, then its own keys. */
function expand(inst: LxdInstance, profiles: Record<string, { config: ConfigMap; devices: DeviceMap }>): Fields {
  const config: ConfigMap = {};
  const devices: DeviceMap = {};
  for (const p of inst.profiles) {
    Object.assign(config, profiles[p]?.config ?? {});
    Object.assign(devices, profiles[p]?.devices ?? {});
  }
  Object.assign(config, inst.config);
  Object.assign(devices, inst.devices);
  return deviceFields(devices, configFields(config));
}

/**
 * Every instance using the profile, managed by lxplan or not, with what the change does to its
 * expanded config: a key the instance sets itself is not affected; the others land with the
 * instance's own impact (live, or restart for keys that need one on a running instance).
 */
function blastRadius(name: string, l: LxdProfile, d: DesiredProfile, ctx: PlanContext): AffectedInstance[] {
  const before: Record<string, { config: ConfigMap; devices: DeviceMap }> = ctx.live.profiles;
  const after = { ...before, [name]: { config: d.config, devices: d.devices } };
  const secret = new Set((d.sensitive ?? []).map((k) => `config.${k}`));
  const out: AffectedInstance[] = [];
  for (const inst of Object.values(ctx.live.instances).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // (An instance with project: in a project with profiles of its own uses that project's profile of this name.)
    if (!inst.profiles.includes(name) || !usesScopeProfiles(inst.name, ctx)) continue;
    // The instance's impact rules, as if it keeps its current state.
    const asIs = { state: instanceState(inst) === 'running' ? 'running' : 'stopped' } as DesiredInstance;
    const fields = diffFields(expand(inst, after), expand(inst, before), (path) => instanceSpec.fieldImpact(path, inst, asIs), instanceSpec.leadingFields).map(
      (f) => (secret.has(f.path) ? { ...f, sensitive: true, before: f.before && '(sensitive)', after: f.after && '(sensitive)' } : f),
    );
    out.push({
      name: inst.name,
      managed: addressOf('instance', inst.name) in ctx.state.resources,
      ...(fields.length > 0 ? { impact: worstImpact(fields.map((f) => f.impact)) } : {}),
      fields,
    });
  }
  return out;
}
