/**
 * `project:` on an object: an instance may live in another LXD project than the directory's
 * scope (the top-level project:). Names stay unique per kind within a directory, so addresses
 * stay `kind.name`: the project is an attribute of the object, recorded in its state entry (its
 * PROJECT_ATTRIBUTE) so that an object removed from the manifests is deleted where it lives.
 * What belongs to an object lives with it (a kind's `ownedBy`: snapshots follow their instance).
 * Which kinds take project: is each kind's own (its LiveKind's perObjectProject, <kind>/live.ts).
 *
 * Where lxplan looks for an object's live counterpart: in the project its state entry records
 * (where lxplan made it), else in the project it is declared in. A declared project that differs
 * from the recorded one is a move: a replace (planner), deleting in the old project and creating
 * in the new one (executor).
 */
import type { State } from '../state/model.js';
import { lazy } from './lazy.js';
import { PROJECT_ATTRIBUTE } from './project/where.js';
import { kindEntries } from './kind-entries.js';
import type { KindEntry } from './registry.js';
import { addressOf, type DesiredObject, type Kind, type Manifest } from './types.js';

export { PROJECT_ATTRIBUTE } from './project/where.js';

function entryOf(kind: Kind): KindEntry {
  return kindEntries().find((e) => e.kind === kind)!;
}

/** Kinds that take `project:` (the manifest schema refuses it elsewhere). */
export const PER_OBJECT_PROJECT: ReadonlySet<Kind> = lazy(
  () =>
    new Set<Kind>(
      kindEntries()
        .filter((e) => e.live.perObjectProject)
        .map((e) => e.kind),
    ),
);

/** The declared objects of a kind that takes project: (by name). */
function declaredOf(kind: Kind, m: Manifest): Record<string, DesiredObject> {
  return PER_OBJECT_PROJECT.has(kind) ? entryOf(kind).spec.desired(m) : {};
}

export function scopeOfManifest(m: Manifest): string {
  return m.project ?? 'default';
}

/** The object an object belongs to (a snapshot: its instance); the object itself for other kinds. */
function owner(kind: Kind, name: string): { kind: Kind; name: string } {
  const by = entryOf(kind).live.ownedBy;
  return by ? { kind: by.kind, name: by.owner(name) } : { kind, name };
}

/** The project a declared object is to live in (undefined: not declared). */
export function declaredProject(kind: Kind, name: string, m: Manifest): string | undefined {
  const o = owner(kind, name);
  if (!PER_OBJECT_PROJECT.has(o.kind)) return undefined;
  const d = declaredOf(o.kind, m)[o.name];
  return d ? (d.project ?? scopeOfManifest(m)) : undefined;
}

/** The project the state records for an object (undefined: not in the state). */
export function recordedProject(kind: Kind, name: string, m: Manifest, state: State): string | undefined {
  const o = owner(kind, name);
  const entry = state.resources[addressOf(o.kind, o.name)];
  if (!entry) return undefined;
  return entry.attributes?.[PROJECT_ATTRIBUTE] ?? scopeOfManifest(m);
}

/** The project the object's live counterpart is read from: where lxplan made it, else where it is declared, else the scope. */
export function liveProjectOf(kind: Kind, name: string, m: Manifest, state: State): string {
  return recordedProject(kind, name, m, state) ?? declaredProject(kind, name, m) ?? scopeOfManifest(m);
}

/** The project a desired object lives in. */
export function desiredProjectOf(d: DesiredObject, m: Manifest): string {
  return declaredProject(d.kind, d.name, m) ?? scopeOfManifest(m);
}

/** The state attributes that say where an object lives: none in the scope project. */
export function projectAttributes(d: DesiredObject, m: Manifest): Record<string, string> {
  const p = desiredProjectOf(d, m);
  return p === scopeOfManifest(m) ? {} : { [PROJECT_ATTRIBUTE]: p };
}

/**
 * Projects other than the scope whose objects this run reads, each with the names looked for
 * there (liveProjectOf), per kind that takes project:.
 */
export function otherProjects(m: Manifest, state: State): Map<string, Map<Kind, Set<string>>> {
  const scope = scopeOfManifest(m);
  const out = new Map<string, Map<Kind, Set<string>>>();
  for (const kind of PER_OBJECT_PROJECT) {
    const names = new Set([
      ...Object.keys(declaredOf(kind, m)),
      ...Object.values(state.resources)
        .filter((e) => e.kind === kind)
        .map((e) => e.name),
    ]);
    for (const n of names) {
      const p = liveProjectOf(kind, n, m, state);
      if (p === scope) continue;
      if (!out.has(p)) out.set(p, new Map());
      const byKind = out.get(p)!;
      if (!byKind.has(kind)) byKind.set(kind, new Set());
      byKind.get(kind)!.add(n);
    }
  }
  return out;
}
