/**
 * What an image reference names (`image:` of an instance: a key of images:, an alias LXD has, or
 * a fingerprint or a unique prefix of one), resolved where LXD resolves it: in the project the
 * instance lives in (the default project's images when that project has no features.images).
 * A fingerprint of an image declared in the manifests names that declaration, known before LXD
 * has the image. The planner reaches these through the image spec's hooks (planContext,
 * referencedAs, referableNames).
 */
import type { LxdImage } from '../../lxd/types.js';
import { desiredProjectOf, liveProjectOf, scopeOfManifest } from '../object-project.js';
import type { PlanContext } from '../spec.js';
import { addressOf, type Address, type DesiredImage } from '../types.js';
import { holdingProject } from '../where.js';

const FINGERPRINT = /^[0-9a-f]{12,64}$/;

/** Where LXD keeps the images an object of `project` uses. */
function imagesOf(project: string, ctx: PlanContext): string {
  return holdingProject('image', project, ctx.manifest.projects?.[project]?.config ?? ctx.live.projects?.[project]?.config) ?? project;
}

function scopeOf(ctx: PlanContext): string {
  return scopeOfManifest(ctx.manifest);
}

/** The project a live image was read from: the other project whose declared or recorded alias it carries, else the scope (live-other-projects.ts). */
function liveImageProject(i: LxdImage, ctx: PlanContext): string {
  const scope = scopeOf(ctx);
  for (const a of i.aliases ?? []) {
    if (!ctx.manifest.images[a.name] && !ctx.state.resources[addressOf('image', a.name)]) continue;
    const p = liveProjectOf('image', a.name, ctx.manifest, ctx.state);
    if (p !== scope) return p;
  }
  return scope;
}

/** The declared images and the live images found from `project` (all of them when no project is given). */
function candidates(ctx: PlanContext, project: string | undefined): { declared: DesiredImage[]; live: LxdImage[] } {
  const all = { declared: Object.values(ctx.manifest.images), live: ctx.live.images };
  if (project === undefined) return all;
  const where = imagesOf(project, ctx);
  return {
    declared: all.declared.filter((d) => imagesOf(desiredProjectOf(d, ctx.manifest), ctx) === where),
    live: all.live.filter((i) => imagesOf(liveImageProject(i, ctx), ctx) === where),
  };
}

/** The declared image a fingerprint (or unique prefix) names, from `project`. */
function declaredByFingerprint(ref: string, ctx: PlanContext, project: string | undefined): DesiredImage | undefined {
  if (!FINGERPRINT.test(ref)) return undefined;
  const found = candidates(ctx, project).declared.filter((d) => d.fingerprint?.startsWith(ref));
  return new Set(found.map((d) => d.fingerprint)).size === 1 ? found.sort((a, b) => a.name.localeCompare(b.name))[0] : undefined;
}

/** The fingerprint `ref` resolves to from `project`: a declared key, then LXD's aliases, then a fingerprint (or unique prefix) of a declared or live image. */
export function resolveImageRef(ctx: PlanContext, ref: string, project?: string): string | undefined {
  const d = ctx.manifest.images[ref];
  if (d) return d.fingerprint;
  const { declared, live } = candidates(ctx, project);
  const aliased = live.find((i) => (i.aliases ?? []).some((a) => a.name === ref));
  if (aliased) return aliased.fingerprint;
  if (!FINGERPRINT.test(ref)) return undefined;
  const fps = new Set(
    [...declared.map((x) => x.fingerprint), ...live.map((i) => i.fingerprint)].filter((fp): fp is string => fp !== undefined && fp.startsWith(ref)),
  );
  return fps.size === 1 ? [...fps][0] : undefined;
}

/** A reference to `image.<fingerprint>` of a declared image, as the address of that declaration (what orders the instance after it); undefined: the reference itself. */
export function declaredImageAddress(name: string, project: string, ctx: PlanContext): Address | undefined {
  if (ctx.manifest.images[name]) return undefined;
  const d = declaredByFingerprint(name, ctx, project);
  return d ? addressOf('image', d.name) : undefined;
}

/** An alias for a fingerprint, for display: the manifest's name first, then LXD's aliases. */
export function aliasOfFingerprint(ctx: PlanContext, fp: string): string | undefined {
  for (const d of Object.values(ctx.manifest.images)) if (d.fingerprint === fp) return d.name;
  return ctx.live.images.find((i) => i.fingerprint === fp)?.aliases?.[0]?.name;
}

/**
 * The image names an instance's image: may use that stay after this plan (`gone`: managed images
 * no longer declared): LXD's aliases, and a fingerprint (or prefix) a declared instance uses that
 * resolves from its project.
 */
export function referableImages(ctx: PlanContext, gone: Set<string>): Record<string, Set<string>> {
  const images = new Set<string>();
  for (const img of ctx.live.images) for (const a of img.aliases ?? []) if (!gone.has(a.name)) images.add(a.name);
  for (const inst of Object.values(ctx.manifest.instances)) {
    if (
      !ctx.manifest.images[inst.image] &&
      !images.has(inst.image) &&
      FINGERPRINT.test(inst.image) &&
      ctx.resolveImage(inst.image, desiredProjectOf(inst, ctx.manifest))
    )
      images.add(inst.image);
  }
  return { images };
}
