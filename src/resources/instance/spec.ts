/**
 * Instances (containers; virtual machines are planned the same way, see fieldImpact). Fields fixed
 * at creation (LXD's InstancesPost only: the image or the instance copied (instance-source.ts),
 * the type; and the architecture, which the image decides (instance-arch.ts)) force a replace;
 * everything in InstancePut can change in place, live or at the next start (see instance-keys.ts).
 * Files pushed into the instance are planned from the state's record (instance-files.ts).
 */
import { desiredProjectOf } from '../object-project.js';
import type { DeviceMap, LxdInstance } from '../../lxd/types.js';
import { deviceImpact, deviceRefs } from '../devices.js';
import { configFields, deviceFields, digestOf, field, listField } from '../fields.js';
import { instanceKeyImpact, isServerComputedKey } from './keys.js';
import { canonicalArch, checkArchitectures, checkImageTypes, EPHEMERAL_STOP_NOTE, stopsEphemeral } from './arch.js';
import { desiredFileFields, fileImpact, recordedFileFields } from './files.js';
import { checkCopySources, copyNote, copySourceText, sourceRefs } from './source.js';
import type { FieldImpact, Fields, PlanContext, ResourceSpec } from '../spec.js';
import { unenforcedSizeNote } from '../storage-pool/spec.js';
import { addressOf, type DesiredInstance } from '../types.js';
import { parseBool } from '../units.js';
import { instanceSecrets } from './secrets.js';
import { checkTargets, liveTargetField, placeInstanceChanges, targetImpact } from './cluster.js';
import { describeExecs, desiredExecFields, recordedExecFields } from './execs.js';
import { describeWaits, desiredWaitFields, recordedWaitFields, WAIT_FIELD } from './wait.js';

/** Seconds a clean stop may take before lxplan forces it. */
export const STOP_TIMEOUT_S = 30;

/** A reference that looks like a fingerprint (or a prefix of one) rather than an alias. */
export function looksLikeFingerprint(ref: string): boolean {
  return /^[0-9a-f]{12,64}$/.test(ref);
}

/** LXD's status ("Running", "Stopped", "Frozen", ...) in the manifest's words. */
export function instanceState(l: LxdInstance): string {
  return l.status.toLowerCase();
}

function imageFieldOfLive(l: LxdInstance, ctx: PlanContext, d: DesiredInstance | undefined): string {
  const base = l.config['volatile.base_image'] ?? '';
  const attrs = ctx.state.resources[addressOf('instance', l.name)]?.attributes;
  // A copy inherits its original's volatile.base_image: it was not made from that image.
  if (attrs?.source) return `copy of ${attrs.source}`;
  const recorded = attrs?.image;
  // The instance was made from the image the manifest names if state says so, or if that
  // reference resolves to the fingerprint LXD recorded as its base image.
  if (d && (recorded === d.image || (base !== '' && ctx.resolveImage(d.image, desiredProjectOf(d, ctx.manifest)) === base))) return d.image;
  return recorded ?? (base ? (ctx.aliasOf(base) ?? base.slice(0, 12)) : '(none)');
}

/**
 * The copy source an instance was made from: as recorded in the state; made from an image when the
 * state says that; as declared when nothing is recorded (an interrupted create, an import: LXD
 * keeps no trace of it to check).
 */
function sourceFieldOfLive(l: LxdInstance, ctx: PlanContext, d: DesiredInstance | undefined): string {
  const attrs = ctx.state.resources[addressOf('instance', l.name)]?.attributes;
  if (attrs?.source) return attrs.source;
  if (attrs?.image) return `image ${attrs.image}`;
  return d?.copyOf ? copySourceText(d.copyOf) : '(not recorded)';
}

/** The creation input, `image` or (for a copy) `source`: live fields take the desired object's shape. */
function originField(l: LxdInstance, ctx: PlanContext, d: DesiredInstance | undefined): Fields {
  const copy = d ? d.copyOf !== undefined : Boolean(ctx.state.resources[addressOf('instance', l.name)]?.attributes?.source);
  return copy ? { source: field(sourceFieldOfLive(l, ctx, d)) } : { image: field(imageFieldOfLive(l, ctx, d)) };
}

export const instanceSpec: ResourceSpec<DesiredInstance, LxdInstance> = {
  kind: 'instance',
  desired: (m) => m.instances,
  live: (s) => s.instances,

  desiredFields(d) {
    const f: Fields = {
      ...(d.copyOf ? { source: field(copySourceText(d.copyOf)) } : { image: field(d.image) }),
      type: field(d.type),
      profiles: listField(d.profiles),
      description: field(d.description),
      state: field(d.state),
      // Only when written (or true in LXD), so instances that never were ephemeral have no such field.
      ...(d.ephemeral !== undefined ? { ephemeral: field(String(d.ephemeral)) } : {}),
      ...(d.architecture ? { architecture: field(d.architecture, canonicalArch(d.architecture)) } : {}),
      ...(d.target ? { target: field(d.target) } : {}),
    };
    configFields(d.config, f);
    deviceFields(d.devices, f);
    desiredFileFields(d, f);
    desiredWaitFields(d, f);
    // Last: a `changed:` exec's token is made of the fields it watches.
    desiredExecFields(d, f);
    return f;
  },

  liveFields(l, ctx, d) {
    const f: Fields = {
      ...originField(l, ctx, d),
      type: field(l.type),
      profiles: listField(l.profiles),
      description: field(l.description ?? ''),
      state: field(instanceState(l)),
      ...(l.ephemeral || d?.ephemeral !== undefined ? { ephemeral: field(String(Boolean(l.ephemeral))) } : {}),
      // Compared only when declared: LXD gives every instance its image's.
      ...(d?.architecture ? { architecture: field(l.architecture, canonicalArch(l.architecture)) } : {}),
      // Compared only when declared: LXD places an instance without target: where it likes.
      ...(d?.target ? { target: liveTargetField(l, d.target, ctx) } : {}),
    };
    configFields(l.config, f);
    deviceFields(l.devices, f);
    // Files are not read back from LXD (see instance-files.ts): what lxplan last pushed.
    recordedFileFields(ctx.state.resources[addressOf('instance', l.name)]?.fields, f);
    // Nor are what is waited for and what ran (wait.ts, execs.ts): the state's record.
    recordedWaitFields(ctx.state.resources[addressOf('instance', l.name)]?.fields, f);
    recordedExecFields(ctx.state.resources[addressOf('instance', l.name)]?.fields, d, f);
    return f;
  },

  fieldImpact(path, l, d): FieldImpact {
    if (path === 'image' || path === 'source' || path === 'type' || path === 'architecture') return { impact: 'replace' };
    if (path === 'state' && stopsEphemeral(d, instanceState(l))) return { impact: 'replace', note: EPHEMERAL_STOP_NOTE };
    // LXD renames stopped instances only: a running (or frozen) one is stopped, renamed and started again.
    if (path === 'name') {
      return instanceState(l) !== 'stopped' && d.state !== 'stopped'
        ? { impact: 'restart', note: 'LXD renames stopped instances only: it is stopped, renamed and started' }
        : { impact: 'live' };
    }
    if (path === 'target') return targetImpact(instanceState(l));
    if (path === 'profiles' || path === 'description' || path === 'state' || path === 'ephemeral') return { impact: 'live' };
    if (path.startsWith('files.')) return fileImpact(path, d);
    // Run in the instance, or waited for, after the change: nothing in LXD's config (execs.ts, wait.ts).
    if (path.startsWith('execs.') || path === WAIT_FIELD) return { impact: 'live' };
    // A stopped instance (or one this plan stops) takes every stored change at its next start.
    const running = instanceState(l) === 'running' && d.state !== 'stopped';
    // Containers hot-plug most devices, VMs mostly cannot (devices.ts); expanded: a profile's device counts too.
    if (path.startsWith('devices.')) return deviceImpact(path, l.expanded_devices ?? l.devices, d.devices, l.type, running);
    if (path.startsWith('config.')) {
      const r = instanceKeyImpact(path.slice('config.'.length));
      // LXD's live-update table is per key, for both kinds; which limits a running VM takes live
      // (hotplug, balloon) cannot be checked on hosts without VMs: no live promise there.
      if (l.type === 'virtual-machine' && running && r.impact === 'live' && path.startsWith('config.limits.')) {
        return { impact: 'restart', note: 'virtual machine: a running VM may not take this limit live (not checked on a VM by lxplan)' };
      }
      return r.impact === 'restart' && !running ? { impact: 'live', ...(r.note ? { note: r.note } : {}) } : r;
    }
    return { impact: 'restart' };
  },

  // Its image (or the instance and snapshot it copies), its profiles, and the networks, pools and
  // volumes its own devices name (those its profiles' devices name are the profiles' references).
  refs: (d) => [...sourceRefs(d), ...d.profiles.map((p) => addressOf('profile', p)), ...deviceRefs(d.devices)],
  liveRefs: (l) => [...l.profiles.map((p) => addressOf('profile', p)), ...deviceRefs(l.devices ?? {})],
  fieldNote: (path, d, ctx) => diskSizeNote(path, d.devices, ctx) ?? copyNote(path, d, ctx),
  builtin: () => false,
  stateAttributes: (d): Record<string, string> => (d.copyOf ? { source: copySourceText(d.copyOf) } : { image: d.image }),
  // The image as the state names it (the manifest may name the same image otherwise: its fingerprint).
  inRecordTerms: (d, entry) => (!d.copyOf && entry.attributes?.image !== undefined ? { ...d, image: entry.attributes.image } : d),
  digest: (l) =>
    digestOf({
      type: l.type,
      profiles: l.profiles,
      description: l.description ?? '',
      devices: l.devices,
      config: Object.fromEntries(Object.entries(l.config).filter(([k]) => !isServerComputedKey(k))),
      // Only when set: digests of instances that are not ephemeral stay what they were.
      ...(l.ephemeral ? { ephemeral: true } : {}),
    }),
  isRunning: (l, d) => instanceState(l) === 'running' && d.state === 'running',
  isProtected: (l, d) => Boolean(d?.protect) || parseBool(l?.config?.['security.protection.delete'] ?? '') === true,
  // --- planner hooks ---
  secrets: instanceSecrets,
  holdsData: true,
  restartAllowed: (d) => d.restart === 'auto',
  leadingFields: ['image'],
  checkPlan: (ctx, gone) => [
    ...checkCopySources(ctx.manifest, ctx.live, ctx.state, gone),
    ...checkArchitectures(ctx.manifest, ctx.live, ctx.resolveImage),
    ...checkImageTypes(ctx.manifest, ctx.live, ctx.resolveImage),
    ...checkTargets(ctx.manifest, ctx.live),
  ],
  // What is waited for, and which execs run and why, in words; then the cluster members.
  afterPlan: (changes, ctx) => placeInstanceChanges(describeExecs(describeWaits(changes), ctx), ctx),
};

/** `devices.<name>.size` of a disk on a pool whose driver does not enforce it: a note saying so. */
export function diskSizeNote(path: string, devices: DeviceMap, ctx: PlanContext): string | undefined {
  const m = /^devices\.(.+)\.size$/.exec(path);
  const dev = m ? devices[m[1]] : undefined;
  return dev?.type === 'disk' ? unenforcedSizeNote(dev.pool, ctx) : undefined;
}
