/**
 * What the planner knows about a kind of LXD object. The planner is generic: it reads these
 * specs and has no per-kind `if`s. Each kind's folder (src/resources/<kind>/) has its spec
 * (<kind>/spec.ts, pure: used by the planner) and its operations (<kind>/ops.ts, I/O through the
 * LXD client: used by the executor). What only some kinds need is an optional hook, implemented in
 * the kind's folder.
 */
import type { LxdClient } from '../lxd/client.js';
import type { State, StateEntry } from '../state/model.js';
import type { LxplanError } from '../errors.js';
import type { AffectedInstance, PlanOptions, ResourceChange } from '../planner/plan.js';
import type { Impact } from './impact.js';
import type { Address, DesiredObject, Kind, Manifest } from './types.js';

/** One comparable field of an object: what to show, and what to compare. */
export interface FieldValue {
  display: string;
  canonical: string;
  /** Not read from LXD but taken from the state's record (instance files): it cannot drift, and is recorded again as it is. */
  fromState?: boolean;
}
/** What a secret value reads as in a plan, its views and its saved file. */
export const SENSITIVE = '(sensitive)';

/** An object flattened to dotted field paths: "profiles", "config.limits.memory", "devices.root.pool". */
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
  /** The fingerprint an image reference (key, alias or fingerprint prefix) resolves to, desired images first, then LXD's; from the given project (an instance's) when given (image/refs.ts). */
  resolveImage: (ref: string, project?: string) => string | undefined;
  /** An alias for a fingerprint, for display: the manifest's name first, then LXD's aliases. */
  aliasOf: (fingerprint: string) => string | undefined;
}

/** A kind's secrets beyond its config keys (an instance's secret files): how plans hide them and a saved plan gets them back. */
export interface SecretParts<D> {
  /** Field paths whose values are secrets ("files./etc/app/token"). */
  paths(d: D): string[];
  /** `d` with those values replaced by SENSITIVE (what checks them stays: a file's sha256). */
  redact(d: D): D;
  /** Whether `d` (read from a saved plan) has values replaced by SENSITIVE. */
  redacted(d: D): boolean;
  /** Puts the values back into `d` from `fresh` (the manifests read again); what no longer matches, if one does not. */
  restore(d: D, fresh: D | undefined): { what: string; hint: string } | undefined;
}

/** The state attribute listing the keys that wait for a restart ("limits.cpu,security.nesting"). */
export const PENDING_RESTART = 'pending_restart';

/** How a device of an instance or a profile names an object (a nic's network:, a disk's pool:). */
export interface DeviceReference {
  /** The device key that names the object. */
  key: string;
  /** The object's name ("fast/data" for a volume). */
  name: string;
  /** False when the name may be something lxplan does not know (a nic's parent may be a host interface). */
  mustExist: boolean;
}

/**
 * The kinds a device can name, each adding itself from its folder (declaration merging:
 * `declare module '../spec.js' { interface DeviceReferencedKinds { network: true } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DeviceReferencedKinds {}

/** What the kind holding the others (a project) tells the planner about the scope a run works in and the objects in it. */
export interface ScopeParts {
  /** The field of an object, in plans, that names the project it lives in (`project:`). */
  field: string;
  /** A project's config: as declared when it is declared (a project about to be created has no live one), else as LXD has it. */
  config(name: string, ctx: PlanContext): Record<string, string> | undefined;
  /** Whether the project exists in LXD or is declared; undefined when LXD's projects were not read. */
  exists(name: string, ctx: PlanContext): boolean | undefined;
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

  // --- planner hooks ---
  /** The fingerprint the state entry records for `d` when its operation reports none (an image's, as planned). */
  recordedFingerprint?(d: D): string | undefined;
  /** Secrets of the desired object beyond its config keys (an instance's secret files). */
  secrets?: SecretParts<D>;
  /** Whether the desired object lets lxplan restart it without --allow-restart (an instance's restart: auto). */
  restartAllowed?(d: D): boolean;
  /** Whether destroying an object of this kind loses data (instances, custom volumes, snapshots): lxapply asks for it by name. */
  holdsData?: boolean;
  /** For the kind that holds the objects of the others (a project): the scope a run works in. */
  scope?: ScopeParts;
  /** Fields shown first in this kind's changes, before the common ones (an instance's image). */
  leadingFields?: readonly string[];
  /** The functions this kind adds to the plan context (an image's resolveImage and aliasOf). */
  planContext?(ctx: PlanContext): Partial<PlanContext>;
  /** The address a reference to the object `name` of this kind stands for, from the given project (a declared image's fingerprint: that declaration); undefined: itself. */
  referencedAs?(name: string, project: string, ctx: PlanContext): Address | undefined;
  /** The names a reference to this kind may use that stay after this plan (`gone`: managed, no longer declared), keyed as manifest/references.ts expects them. */
  referableNames?(ctx: PlanContext, gone: Set<string>): Record<string, Set<string>>;
  /** Refusals of the whole plan this kind makes before anything is planned (`gone`: its managed objects no longer declared; an instance's copy source, architecture, image type). */
  checkPlan?(ctx: PlanContext, gone: Set<string>): LxplanError[];
  /** A pass over all changes once every kind is planned (snapshots follow their instance; a profile's restarts reach its instances); may change them, returns the changes. */
  afterPlan?(changes: ResourceChange[], ctx: PlanContext, options: PlanOptions): ResourceChange[];
  /** How a device (of an instance or a profile) names an object of this kind: a nic's network:, a disk's pool: or source:. */
  deviceReferences?(device: Record<string, string>): DeviceReference[];
  /** The kind whose objects this kind snapshots (a snapshot's instance): `lxapply --restore` rolls one back to one of them. */
  snapshotOf?: Kind;

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
  progress: (message: string) => void;
  /** A message that must reach the log, not only the live progress view. */
  notice?: (message: string) => void;
  /** Called by an operation with the object it read (and whose ETag it sends as If-Match): throws when it is not what the plan saw. */
  verify?: (live: unknown) => void;
  /** The field paths the plan changes on the object ("files./etc/motd", "config.limits.memory"); absent: not known, do it all. */
  changed?: readonly string[];
}

/**
 * What an operation did that the plan could not know: the executor records it in the object's
 * state entry (an operation never writes into the plan or its desired object).
 */
export interface OpResult {
  /** The fingerprint of the image LXD made or holds (published, copied from a remote, followed by auto_update). */
  fingerprint?: string;
}

/** Operations the executor runs. Each write re-reads the object for its ETag and sends If-Match. */
export interface ResourceOps<D extends DesiredObject = DesiredObject> {
  create(client: LxdClient, d: D, ev: OpEvents): Promise<OpResult | void>;
  update(client: LxdClient, d: D, ev: OpEvents): Promise<OpResult | void>;
  delete(client: LxdClient, name: string, ev: OpEvents): Promise<void>;
  /** Whether the object exists in LXD now (after a failed create: to record what was left). */
  exists(client: LxdClient, name: string): Promise<boolean>;
  /** Destroy and create again; default is delete then create. */
  replace?(client: LxdClient, d: D, ev: OpEvents): Promise<OpResult | void>;
  /** Give the object named `from` the name of `d` (then update it to `d`). */
  rename?(client: LxdClient, from: string, d: D, ev: OpEvents): Promise<OpResult | void>;
  /** Restart the object so that stored changes take effect. */
  restart?(client: LxdClient, name: string, ev: OpEvents): Promise<void>;
  /**
   * Runs last, once the change (and its restart) is made: an instance waits until it is ready and
   * runs its execs. Throws an `Unsettled` error when a part of it did not happen.
   */
  settle?(client: LxdClient, d: D, ev: OpEvents, how: { created: boolean; restarted: boolean }): Promise<void>;
}

/**
 * A settle step that failed part-way (an exec that failed): the change is made, and recorded, but
 * the fields in `unsettled` keep the record they had (absent: none), so the next plan does them again.
 */
export interface Unsettled extends Error {
  unsettled: string[];
}

export function isUnsettled(e: unknown): e is Unsettled {
  return e instanceof Error && Array.isArray((e as Partial<Unsettled>).unsettled);
}
