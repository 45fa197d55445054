/**
 * Instances copied from another instance or one of its snapshots (`source: {instance, snapshot}`),
 * as `lxc copy` does: POST /1.0/instances with source {type: copy, source: "base" or "base/s1",
 * instance_only: true}. Like the image, the source is a creation-time input: LXD does not keep it
 * (the copy only inherits the original's volatile.base_image), so lxplan records it in the state
 * attributes and compares the manifest with that record; a changed source is a replace.
 *
 * Only the files come from the source. LXD merges the POST's config over the source's config and
 * takes its profiles and devices from the POST, so the copy is written once more after the copy
 * with exactly its own declared config (see instance.ts create).
 */
import { LxplanError } from '../../errors.js';
import type { LxdInstancesPost } from '../../lxd/types.js';
import type { LiveSnapshot, PlanContext } from '../spec.js';
import type { State } from '../../state/model.js';
import { addressOf, type Address, type CopySource, type DesiredInstance, type Manifest } from '../types.js';

/** "base" or "base/s1": LXD's own spelling of a copy source, and what the plan and the state show. */
export function copySourceText(s: CopySource): string {
  return s.snapshot ? `${s.instance}/${s.snapshot}` : s.instance;
}

/** The `source` of an instance create: a copy without the original's snapshots (lxplan does not manage those), or an image. */
export function instanceSourceOf(d: DesiredInstance, looksLikeFingerprint: (ref: string) => boolean): LxdInstancesPost['source'] {
  if (d.copyOf) return { type: 'copy', source: copySourceText(d.copyOf), instance_only: true };
  return looksLikeFingerprint(d.image) ? { type: 'image', fingerprint: d.image } : { type: 'image', alias: d.image };
}

/**
 * The note on a copy of an instance that will be running when it is copied: LXD 5.0.2 copies a
 * running container (observed; dir pools copy with rsync while it runs), so the copy holds its
 * files as they were at some moment during the copy. A snapshot is a consistent copy.
 */
export function copyNote(path: string, d: DesiredInstance, ctx: PlanContext): string | undefined {
  if (path !== 'source' || !d.copyOf || d.copyOf.snapshot) return undefined;
  const src = d.copyOf.instance;
  const l = ctx.live.instances[src];
  const running = l ? l.status === 'Running' || l.status === 'Frozen' : ctx.manifest.instances[src]?.state !== 'stopped';
  return running ? `${src} is copied while it runs: files being written may be copied half-way (copy a snapshot for a consistent copy)` : undefined;
}

/** What the instance is made from, as planner references: its image, or the instance and snapshot it copies. */
export function sourceRefs(d: DesiredInstance): Address[] {
  if (!d.copyOf) return [addressOf('image', d.image)];
  return [addressOf('instance', d.copyOf.instance), ...(d.copyOf.snapshot ? [addressOf('snapshot', copySourceText(d.copyOf))] : [])];
}

/**
 * The instances and snapshots copies are made from must exist, in the manifests or in LXD
 * (`gone`: managed instances this plan deletes do not count), and copies must not copy each
 * other in a circle (nothing could be created first). A copy that exists and was made from the
 * declared source needs it no more: the original may go.
 */
export function checkCopySources(m: Manifest, live: LiveSnapshot, state: State, gone: ReadonlySet<string>): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const d of Object.values(m.instances)) {
    const src = d.copyOf;
    if (!src) continue;
    if (live.instances[d.name] && state.resources[addressOf('instance', d.name)]?.attributes?.source === copySourceText(src)) continue;
    const where = d.keyAt?.['source.instance'] ?? d.keyAt?.source ?? d.at;
    const inManifest = Boolean(m.instances[src.instance]);
    if (!inManifest && !(live.instances[src.instance] && !gone.has(src.instance))) {
      errors.push(
        new LxplanError('manifest.reference', `instance "${d.name}" is a copy of instance "${src.instance}", which is neither in the manifests nor in LXD`, {
          location: where,
          hint: 'name an instance from instances: or one that exists in LXD (in the same project)',
        }),
      );
      continue;
    }
    if (src.snapshot) {
      const key = copySourceText(src);
      if (!m.snapshots?.[key] && !live.snapshots?.[key]) {
        errors.push(
          new LxplanError(
            'manifest.reference',
            `instance "${d.name}" is a copy of snapshot "${src.snapshot}" of instance "${src.instance}", which is neither in the manifests nor in LXD`,
            {
              location: d.keyAt?.['source.snapshot'] ?? where,
              hint: `declare it in the snapshots: of instance "${src.instance}", or take it in LXD first`,
            },
          ),
        );
      }
    }
    // A circle of copies: follow the chain from d; coming back to d means no copy can be made first.
    const chain = [d.name];
    for (let cur: DesiredInstance | undefined = m.instances[src.instance]; cur; cur = cur.copyOf ? m.instances[cur.copyOf.instance] : undefined) {
      if (cur.name === d.name) {
        errors.push(
          new LxplanError('manifest.reference', `instance "${d.name}" is a copy of itself, through ${[...chain, d.name].map((n) => `"${n}"`).join(' -> ')}`, {
            location: where,
            hint: 'one instance of the circle must be made from an image',
          }),
        );
        break;
      }
      if (chain.includes(cur.name)) break;
      chain.push(cur.name);
    }
  }
  return errors;
}
