/**
 * What the planner knows about a kind of LXD object. The planner is generic: it reads these
 * specs and has no per-kind `if`s. Each kind's folder has its spec (<kind>/spec.ts, pure: used by
 * the planner) and its operations (<kind>/ops.ts, I/O through the LXD client: used by the
 * executor).
 */
import type { LxdClient } from '../lxd/client.js';
import type { State, StateEntry } from '../state/model.js';
import type { AffectedInstance } from '../planner/plan.js';
import type { Impact } from './impact.js';
import type { Address, DesiredObject, Kind, Manifest } from './types.js';

/** One comparable field of an object: what to show, and what to compare. */
export interface FieldValue {
  display: string;
  canonical: string;
  /** Not read from LXD but taken from the state's record (instance files): it cannot drift, and is recorded again as it is. */
  fromState?: boolean;
}
/** An object flattened to dotted field paths: "image", "profiles", "config.limits.memory", "devices.root.pool". */
export type Fields = Record<string, FieldValue>;


/**
 * Everything read from LXD for one plan: one list request per kind. Each kind adds its own map to
 * it from its folder (declaration merging: `declare module '../spec.js' { interface LiveSnapshot
 * { ... } }` in <kind>/types.ts).
 */
export interface LiveSnapshot {
  /** Objects whose project: changed, by address, when the project they move to has one of that name already (live-other-projects.ts). */
  movesBlocked?: Record<string, string>;
}

export interface PlanContext {
  manifest: Manifest;
  live: LiveSnapshot;
  state: State;
  /** The fingerprint an image reference (key, alias or fingerprint prefix) resolves to, desired images first, then LXD's; from `project` (an instance's) when given (planner/image-refs.ts). */
  resolveImage(ref: string, project?: string): string | undefined;
  /** An alias for a fingerprint, for display: the manifest's name first, then LXD's aliases. */
  aliasOf(fingerprint: string): string | undefined;
}

export interface FieldImpact {
  impact: Impact;
  note?: string;
}

export interface ResourceSpec<D extends DesiredObject = DesiredObject, L = unknown> {
  kind: Kind;
  /** The desired objects of this kind, by name. */
  desired(m: Manifest): Record<string, D>;
  /** The live objects of this kind, by name. */
  live(s: LiveSnapshot): Record<string, L>;
  desiredFields(d: D, ctx: PlanContext): Fields;
  /** `d` is the desired counterpart, when there is one (some live values are shown in its terms). */
  liveFields(l: L, ctx: PlanContext, d: D | undefined): Fields;
  /** How a change to one field reaches the object; `l` is the live object (its status matters). */
  fieldImpact(path: string, l: L, d: D): FieldImpact;
  /**
   * A warning about the desired value of a field, shown with the field whenever the plan sets it
   * (create or update): e.g. a disk size the pool's driver does not enforce.
   */
  fieldNote?(path: string, d: D, ctx: PlanContext): string | undefined;
  /** Addresses this desired object needs to exist before it can be created. */
  refs(d: D): Address[];
  /** Addresses this live object currently uses (deletes of those wait for this object's change). */
  liveRefs(l: L): Address[];
  /**
   * Whether this kind lives inside what it references and LXD deletes it with that (snapshots with
   * their instance): its references then never stop a delete or a replace of what it belongs to.
   */
  partOfReferenced?: boolean;
  /**
   * Objects whose deletion, when planned, comes before this object's deletion, though they do not
   * need it in LXD's eyes (an image and the instances made from it: LXD copies the image, but
   * lxplan never removes an image before the instances made from it). Ordering only: never a
   * reason to refuse a plan.
   */
  deleteAfter?(l: L, ctx: PlanContext): Address[];
  /** Objects LXD always has (the default profile): adopted when declared, never deleted. */
  builtin(name: string): boolean;
  /** State attributes to remember after a create or update of `d`. */
  stateAttributes(d: D, ctx: PlanContext): Record<string, string>;
  /** A digest of what the live object holds that lxplan manages (not what LXD changes by itself, such as volatile.* keys or the running status): a saved plan's change is refused when it differs at apply time. */
  digest(l: L): string;
  /** Whether the live object runs and is meant to keep running (restart-impact changes then wait for a restart). */
  isRunning?(l: L, d: D): boolean;
  /** Whether the object must not be destroyed (instance `protect: true` / security.protection.delete). */
  isProtected?(l: L | undefined, d: D | undefined): boolean;
  /**
   * The desired object completed from what the state recorded about it (`d` undefined: the
   * manifests no longer have it). The server config: keys set before and no longer declared, to
   * unset. Undefined: nothing is desired.
   */
  withRecord?(d: D | undefined, entry: StateEntry | undefined): D | undefined;
  /** Why LXD will refuse this change of field `path` (e.g. a project feature of a non-empty project): the plan is refused with it; with `hint`, what to do instead (default: empty the project first). */
  refuse?(path: string, l: L, d: D, ctx: PlanContext): string | { why: string; hint: string } | undefined;
  /** What in the live object makes LXD refuse to delete it, beyond what the plan itself reads and deletes (a project's contents). */
  deleteBlockers?(name: string, l: L, ctx: PlanContext): string[];
  /** How changing this object from `l` to `d` reaches the instances using it (profiles: the blast radius). */
  affects?(name: string, l: L, d: D, ctx: PlanContext): AffectedInstance[];
  /**
   * The LXD objects a change of this object touches besides its own name, in its project: what
   * the live object holds (`l`) and what the desired one will hold (`d`), e.g. an image's
   * fingerprint and aliases. Two changes that share one are never made at once (the planner
   * orders them: planner/identities.ts).
   */
  identities?(l: L | undefined, d: D | undefined): string[];
  /**
   * The managed object a declared one continues under a new name, when the manifests do not say
   * so with renamed_from (an image whose key changed, same bytes): planned as a rename.
   */
  impliedRename?(d: D, ctx: PlanContext): string | undefined;
  /**
   * The desired object in the terms the state recorded (an instance's image named as it was
   * when it was made): drift compares LXD with the state, so live values that are shown in the
   * desired object's terms are shown in the record's terms instead.
   */
  inRecordTerms?(d: D, entry: StateEntry): D;
  // --- references from other kinds ---
  /** The objects of this kind an object of `kind` (desired or live: both in LXD's shape) names in its keys, with each key's path: added to that object's refs (named-in.ts). */
  namedIn?(kind: Kind, o: unknown): NamedRef[];
}

/** A name of another object held in one of an object's keys ("config.security.acls", "devices.eth0.security.acls"). */
export interface NamedRef {
  name: string;
  path: string;
}

/** Events an operation reports while it works (upload progress, waiting for a stop ...). */
export interface OpEvents {
  progress(message: string): void;
  /** A message that must reach the log, not only the live progress view. */
  notice?(message: string): void;
  /** Called by an operation with the object it read (and whose ETag it sends as If-Match): throws when it is not what the plan saw. */
  verify?(live: unknown): void;
  /** The field paths the plan changes on the object ("files./etc/motd", "config.limits.memory"); absent: not known, do it all. */
  changed?: readonly string[];
}

/** Operations the executor runs. Each write re-reads the object for its ETag and sends If-Match. */
export interface ResourceOps<D extends DesiredObject = DesiredObject> {
  create(client: LxdClient, d: D, ev: OpEvents): Promise<void>;
  update(client: LxdClient, d: D, ev: OpEvents): Promise<void>;
  delete(client: LxdClient, name: string, ev: OpEvents): Promise<void>;
  /** Whether the object exists in LXD now (after a failed create: to record what was left). */
  exists(client: LxdClient, name: string): Promise<boolean>;
  /** Destroy and create again; default is delete then create. */
  replace?(client: LxdClient, d: D, ev: OpEvents): Promise<void>;
  /** Give the object named `from` the name of `d` (then update it to `d`). */
  rename?(client: LxdClient, from: string, d: D, ev: OpEvents): Promise<void>;
  /** Restart the object so that stored changes take effect. */
  restart?(client: LxdClient, name: string, ev: OpEvents): Promise<void>;
}

