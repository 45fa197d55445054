/**
 * LXD projects (`projects:`). A project is a global object: it is not inside a project, and the
 * client writes it without a project scope. The `default` project always exists: declaring it
 * adopts it, removing it from the manifests stops managing it, and it is never deleted.
 *
 * Observed on LXD 5.0.2 (see docs/manifest.md, "Projects"):
 *  - a new project that leaves out features.images, features.profiles or
 *    features.storage.volumes gets each as "true" (features.networks is left out, i.e. false);
 *    these keys are LXD's unless the manifest declares them (FILLED), and every write sends
 *    them back: a PUT without features.storage.volumes is a request to turn it off;
 *  - features.* change only while the project is empty: "Project feature "features.images"
 *    cannot be enabled on non-empty projects" (400), and the same for disabling. Only turning
 *    features.networks on was accepted on a project holding a profile. "Empty" is LXD's
 *    projectIsEmpty: nothing in used_by but the project's default profile;
 *  - the default project's features never change ("You can't change the features of the
 *    default project");
 *  - limits.*, restricted.* and user.* change in place;
 *  - a project holding anything but its default profile is not deleted: "Only empty projects
 *    can be removed" (500). The plan says so first (refuse / deleteBlockers below, and the
 *    planner's generic check that nothing it reads in the project stays behind).
 */
import { daemonWord, type ServerInfo } from '../../lxd/server.js';
import type { LxdProject, LxdServer } from '../../lxd/types.js';
import { configFields, digestOf, field, managedConfig, ownedConfig, type FilledKeys } from '../fields.js';
import type { Fields, PlanContext, ResourceSpec } from '../spec.js';
import { liveProjectOf, scopeOfManifest } from '../object-project.js';
import type { DesiredProject } from '../types.js';
import { parseBool } from '../units.js';
import { BASE_FEATURES, checkProjectKeys, defaultFeatures } from './daemons.js';

/** The features LXD turns on when a new project leaves them out (5.0.2; what more a daemon turns on: daemons.ts). */
export const DEFAULT_FEATURES: readonly string[] = BASE_FEATURES;

/** Keys the daemon fills in: the defaulted features (of the connected daemon: `server`); the default project has every feature on, networks included. */
export function projectFilledKeys(name: string, server?: LxdServer | ServerInfo): FilledKeys {
  const filled = defaultFeatures(server);
  return (k) => filled.includes(k) || (name === 'default' && k.startsWith('features.'));
}

/** Whether a project with `config` (as LXD holds it, or as declared for one about to be created) has `feature` on. */
export function hasFeature(name: string, config: Record<string, string> | undefined, feature: string): boolean {
  if (name === 'default') return true;
  const v = config?.[feature];
  if (v === undefined) return DEFAULT_FEATURES.includes(feature);
  return parseBool(v) === true;
}

/** "/1.0/instances/web?project=dev" -> `instance "web"`; the project's own default profile is not content (LXD deletes it with the project). */
export function contentOf(url: string): { kind: string; name: string; text: string } | undefined {
  const u = new URL(url, 'http://lxd');
  const parts = u.pathname.split('/').slice(2).map(decodeURIComponent);
  let kind = parts[0] ?? '';
  let name = parts[parts.length - 1] ?? '';
  if (kind === 'profiles' && name === 'default') return undefined;
  if (kind === 'storage-pools' && parts[2] === 'volumes') {
    kind = 'storage-volumes';
    name = `${parts[1]}/${parts[parts.length - 1]}`;
  }
  const word: Record<string, string> = {
    instances: 'instance',
    profiles: 'profile',
    images: 'image',
    networks: 'network',
    'storage-volumes': 'custom volume',
  };
  const w = word[kind] ?? kind.replace(/s$/, '').replace(/-/g, ' ');
  return { kind, name, text: `${w} "${kind === 'images' ? name.slice(0, 12) : name}"` };
}

/** What a project holds (its used_by, less its default profile). */
export function projectContents(l: LxdProject): Array<{ kind: string; name: string; text: string }> {
  return (l.used_by ?? []).map(contentOf).filter((c): c is { kind: string; name: string; text: string } => c !== undefined);
}

function listed(items: string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

/**
 * Contents of the scope project that the plan itself reads are left to the planner's generic
 * check (it knows which of them this plan deletes first); the rest blocks a delete.
 */
function coveredByPlan(c: { kind: string; name: string }, ctx: PlanContext): boolean {
  switch (c.kind) {
    case 'instances':
      return c.name in ctx.live.instances;
    case 'profiles':
      return c.name in ctx.live.profiles;
    case 'images':
      return ctx.live.images.some((i) => i.fingerprint === c.name && (i.aliases ?? []).length > 0);
    case 'networks':
      return c.name in ctx.live.networks;
    case 'storage-volumes':
      return c.name in ctx.live.storageVolumes;
    default:
      return false;
  }
}

export const projectSpec: ResourceSpec<DesiredProject, LxdProject> = {
  kind: 'project',
  desired: (m) => m.projects ?? {},
  live: (s) => s.projects ?? {},
  desiredFields(d) {
    const f: Fields = { description: field(d.description) };
    return configFields(d.config, f);
  },
  liveFields(l, ctx, d) {
    const f: Fields = { description: field(l.description ?? '') };
    return configFields(ownedConfig(l.config ?? {}, d?.config, projectFilledKeys(l.name, ctx.live.server)), f);
  },
  fieldImpact: (path) =>
    path.startsWith('config.features.') ? { impact: 'live', note: 'LXD changes features only while the project is empty' } : { impact: 'live' },
  refuse(path, l, d, ctx) {
    if (!path.startsWith('config.features.')) return undefined;
    const key = path.slice('config.'.length);
    const daemon = daemonWord(ctx.live.server);
    if (l.name === 'default') return `${daemon} never changes the features of the default project (${key})`;
    const contents = projectContents(l);
    if (contents.length === 0) return undefined;
    // Observed on 5.0.2: turning features.networks on is accepted on a project holding a profile.
    if (key === 'features.networks' && hasFeature(d.name, d.config, key) && !hasFeature(l.name, l.config, key)) return undefined;
    return `${daemon} changes ${key} only while the project is empty, and project "${l.name}" holds ${listed(contents.map((c) => c.text))}`;
  },
  deleteBlockers(name, l, ctx) {
    // What the plan reads is read in the project where lxplan looks for it (the scope, or an instance's own project:).
    const readHere = (c: { kind: string; name: string }): boolean => {
      if (c.kind === 'instances') return liveProjectOf('instance', c.name, ctx.manifest, ctx.state) === name;
      // An image is named by its fingerprint here, by its alias in lxplan (one fingerprint may be in several projects).
      if (c.kind === 'images')
        return ctx.live.images.some(
          (i) => i.fingerprint === c.name && (i.aliases ?? []).some((a) => liveProjectOf('image', a.name, ctx.manifest, ctx.state) === name),
        );
      return scopeOfManifest(ctx.manifest) === name;
    };
    return projectContents(l)
      .filter((c) => !readHere(c) || !coveredByPlan(c, ctx))
      .map((c) => c.text);
  },
  refs: () => [],
  liveRefs: () => [],
  builtin: (name) => name === 'default',
  stateAttributes: () => ({}),
  // Keys the connected daemon does not have (daemons.ts): refused before anything is applied.
  checkPlan: (ctx) => checkProjectKeys(ctx.manifest, ctx.live.server),
  digest: (l) => digestOf({ description: l.description ?? '', config: managedConfig(l.config ?? {}) }),
  // --- planner hooks ---
  scope: {
    field: 'project',
    config: (name, ctx) => ctx.manifest.projects?.[name]?.config ?? ctx.live.projects?.[name]?.config,
    exists: (name, ctx) => (ctx.live.projects ? Boolean(ctx.live.projects[name] || ctx.manifest.projects?.[name]) : undefined),
  },
};
