/**
 * How one kind is read from the manifests: each kind's folder has a manifest.ts exporting one
 * KindManifest, referenced from its registry entry (`manifest:`). The generic manifest code
 * (normalise.ts, load.ts, env.ts, references.ts, names.ts, context.ts, validate's counts) loops
 * over the registry and asks these hooks; it has no per-kind `if`s.
 */
import type { LxplanError, SourceLocation } from '../errors.js';
import type { ConfigKeyProblem, ConfigOwner } from '../resources/config-keys.js';
import type { DesiredObject, DesiredRemote, Kind, Manifest } from '../resources/types.js';
import type { EntryReader } from './entry.js';
import type { KnownNames } from './references.js';

/** A name of another object that an object uses (an instance's image, a device's network). */
export interface Reference {
  /** The kind of the object named. */
  kind: Kind;
  name: string;
  /** Where the name is written. */
  at: SourceLocation;
  /** Who uses it, in messages (`device "eth0" of instance "web-1"`); default `KIND "NAME"` of the object. */
  owner?: string;
}

/** How a name of this kind, used by another object, is checked against the manifests and LXD (references.ts). */
export interface Referenced {
  /** The field of KnownNames holding LXD's names of this kind. */
  known: keyof KnownNames;
  /** Checked even when the caller does not know LXD's names (an empty set then): else only when given. */
  always?: boolean;
  /** Names that always exist in LXD (the default profile). */
  builtin?: readonly string[];
  /** Whether `name` is one of LXD's `known` names (default: in the set); an image may be a fingerprint prefix. */
  isKnown?(name: string, known: ReadonlySet<string>): boolean;
  /** Whether one of LXD's names is offered in a did-you-mean (default: all are). */
  suggest?(known: string): boolean;
  /** The kind in words, in "uses storage pool X" (default the kind). */
  word?: string;
  /** The hint when no name is close ("define it under profiles:, or create it in LXD first"). */
  hint: string;
}

/** What the checks over the merged manifest get besides it (load.ts). */
export interface CheckContext {
  /** Check that files named by the manifests exist (LoadOptions.checkFiles). */
  checkFiles: boolean;
  /** `remotes:` merged over all files, by name. */
  remotes: Readonly<Record<string, DesiredRemote>>;
  /** The PEM certificate of each remote that names one and whose file could be read, by remote name. */
  remoteCertificates: ReadonlyMap<string, string>;
}

export interface KindManifest<D extends DesiredObject = DesiredObject> {
  /** The top-level key of the kind's section ("instances:"); absent: the kind has none (snapshots are listed on their instance). */
  section?: string;
  /** The section is the one object of the kind (`server: {...}`), of this name; absent: the section maps names to objects. */
  single?: { name: string };
  /** One entry of the section as the desired object; `r` reads its keys, collecting their positions and the value errors. */
  normalise?(r: EntryReader, name: string, at: SourceLocation): D;
  /** Puts the kind's merged objects (by name, maybe none) into the manifest: its own field, as its spec's desired() reads it. */
  store(m: Manifest, objects: Record<string, D>): void;
  /** The kind's objects made from other kinds' objects once the files are merged (an instance's snapshots: list). */
  derive?(m: Manifest): Record<string, D>;
  /** Why `name` is not a valid name of this kind, or null (the schema reports it at the name, names.ts). */
  nameProblem?(name: string): string | null;
  /** The names this object uses of other objects, in the order they are reported (references.ts). */
  references?(d: D): Reference[];
  /** How a name of this kind used by another object is checked (references.ts); absent: no object names one. */
  referenced?: Referenced;
  /** What LXD would refuse in `key: value` of the object's config: (src/resources/config-keys.ts); absent: any key. */
  configKeyProblem?(owner: ConfigOwner, label: string, key: string, value: string): ConfigKeyProblem | undefined;
  /** Whether `${env:NAME}` in the object's config: is read from the environment (env.ts); absent: not. */
  envConfig?: boolean;
  /** Left out of validate's "N object(s)" (projects never were counted: kept so, see the issue 12 report). */
  uncounted?: boolean;
  /** Checks of the kind's objects over all merged files, after derive (alias claims, files that must exist ...), in this order. */
  checks?: ReadonlyArray<(m: Manifest, ctx: CheckContext) => LxplanError[] | Promise<LxplanError[]>>;
}
