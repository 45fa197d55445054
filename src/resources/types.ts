/**
 * The desired model: what the manifests ask for, after loading, validation and
 * normalisation (src/manifest produces it; the planner consumes it). Every value LXD
 * stores as a string is a string here ("1", "true", "512MB"), exactly as the user wrote
 * it, so plans can show the user's own spelling; comparison uses canonical forms
 * (see src/resources/units.ts and the per-kind specs).
 */
import type { SourceLocation } from '../errors.js';

/**
 * The kinds lxplan manages, each with its desired type. Each kind adds itself from its own folder
 * by declaration merging (`declare module '../types.js' { interface DesiredByKind { ... } }` in
 * <kind>/types.ts); the ordered list of kinds is src/resources/registry.ts (KINDS there).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DesiredByKind {}
export type Kind = Extract<keyof DesiredByKind, string>;
/** A desired object of any kind. */
export type DesiredObject = DesiredByKind[Kind];

/** kind.name: instance.web-1, profile.small, storage_volume.fast/data. */
export type Address = string;
export function addressOf(kind: Kind, name: string): Address {
  return `${kind}.${name}`;
}
export function parseAddress(a: Address): { kind: Kind; name: string } {
  const i = a.indexOf('.');
  return { kind: a.slice(0, i) as Kind, name: a.slice(i + 1) };
}

export interface DesiredBase {
  name: string;
  /** Where the object is defined: the position of its name key. */
  at: SourceLocation;
  /** The object's previous name (`renamed_from`): renamed, not replaced. */
  renamedFrom?: string;
  /** Config keys whose values are secrets (listed in `sensitive:` or written as ${env:NAME}). */
  sensitive?: string[];
  /** Positions of individual keys, by dotted path inside the object ("limits.memory", "config.boot.autostart", "devices.root", "profiles.1"). */
  keyAt?: Record<string, SourceLocation>;
  /** The LXD project the object lives in (`project:` on an instance or an image; see object-project.ts); absent: the directory's scope. */
  project?: string;
}

/**
 * A daemon named in `remotes:`: an image server `images:` copy from, or the daemon a directory
 * manages over HTTPS (`remote: NAME` at the top). Not an LXD object lxplan manages.
 */
export interface DesiredRemote {
  name: string;
  at: SourceLocation;
  url: string;
  protocol: 'lxd' | 'simplestreams';
  /** Absolute path of the server's certificate file, when given as a path. */
  certificatePath?: string;
  /** The keys as written (`certificate`, `fingerprint`, `ca`, `client_certificate`, `client_key`), `${env:NAME}` not yet read; src/manifest/remotes.ts reads them. */
  raw?: Record<string, string>;
  /** The directory of the file that declares it: paths are relative to it. */
  dir?: string;
  keyAt?: Record<string, SourceLocation>;
}

/** What a `remotes:` entry's keys name, read: PEM texts, the fingerprint normalised. */
export interface RemoteCredentials {
  certificate?: string;
  fingerprint?: string;
  ca?: string;
  clientCertificate?: string;
  clientKey?: string;
}

/** Where a directory's state is kept (`backend:`), as a --state value: a file path, `lxd:NAME` or a postgres:// URL. */
export interface DesiredBackend {
  spec: string;
  at: SourceLocation;
}

/**
 * One loaded configuration (a directory of manifests). Each kind adds its own map to it from its
 * folder (declaration merging: `declare module '../types.js' { interface Manifest { ... } }` in
 * <kind>/types.ts); maps are keyed by object name.
 */
export interface Manifest {
  /** The directory the manifests were read from (absolute). */
  dir: string;
  /** The files that were read, relative to the working directory. */
  files: string[];
  /** Other daemons (`remotes:`), by name (absent: none). */
  remotes?: Record<string, DesiredRemote>;
  /** The daemon the directory manages (the top-level `remote:` key; absent: --remote, else the local socket). */
  remote?: string;
  /** When the directory's files name several daemons: all of them, sorted (this manifest holds one's objects, `remote`, or none). */
  spans?: string[];
  remoteAt?: SourceLocation;
  /** The PEM texts of the `remotes:` entries' certificates and keys, read (src/manifest/remotes.ts). Never written anywhere. */
  remoteCredentials?: Record<string, RemoteCredentials>;
  /** The top-level `backend:` key (absent: --state, else lxplan.state.json next to the manifests). */
  backend?: DesiredBackend;
  /**
   * The LXD project the directory's objects live in: the top-level `project:` key, or (after
   * the session resolves it) --project / LXPLAN_PROJECT. Absent: "default".
   */
  project?: string;
  /** Where the top-level `project:` key is (absent when no file says it). */
  projectAt?: SourceLocation;
}

// Each kind's desired types, from its folder (the order is the registry's).
export * from './project/types.js';
export * from './storage-pool/types.js';
export * from './network/types.js';
export * from './storage-volume/types.js';
export * from './image/types.js';
export * from './profile/types.js';
export * from './instance/types.js';
export * from './snapshot/types.js';
export * from './server/types.js';
