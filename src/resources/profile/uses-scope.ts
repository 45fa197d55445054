/**
 * Which instances a profile of the scope reaches (its blast radius): instances may live in other
 * projects than the scope (project:, object-project.ts), and those use their project's profiles.
 */
import { liveProjectOf, scopeOfManifest } from '../object-project.js';
import type { PlanContext } from '../spec.js';
import { holdingProject } from '../where.js';

/**
 * Whether a live instance uses the scope's profiles: it lives in the scope, or in a project that
 * shares them (both without features.profiles: the default project's). A profile change of the
 * scope reaches only those instances (its blast radius).
 */
export function usesScopeProfiles(instance: string, ctx: PlanContext): boolean {
  const where = (p: string) => holdingProject('profile', p, ctx.manifest.projects?.[p]?.config ?? ctx.live.projects?.[p]?.config);
  return where(liveProjectOf('instance', instance, ctx.manifest, ctx.state)) === where(scopeOfManifest(ctx.manifest));
}
