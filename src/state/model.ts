/**
 * The state model: what lxplan manages, and nothing about how it is stored or locked
 * (file.ts is the format, manager.ts the locking and saving; Terraform's statemgr split).
 * The helpers are pure so the planner and the executor can build new states without I/O.
 */
import { randomUUID } from 'node:crypto';
import type { Address, Kind } from '../resources/types.js';

export interface StateEntry {
  kind: Kind;
  name: string;
  /** When lxplan started managing it (ISO 8601). */
  since: string;
  /** Image fingerprint, for images; base image fingerprint for instances. */
  fingerprint?: string;
  /** Free-form attributes a resource kind wants to remember (e.g. hashes). */
  attributes?: Record<string, string>;
  /** The fields lxplan last applied (display values; secrets as "sha256:..."), to tell drift: changes made outside lxplan. */
  fields?: Record<string, string>;
}

/**
 * The LXD or Incus server a state's objects live on (issue 13: a state bound to its server).
 * A daemon is known by its server certificate: GET /1.0 `environment.certificate_fingerprint`,
 * the same over the unix socket and HTTPS. Every member of a cluster answers with the cluster's
 * certificate (cluster.crt, shared by all members), so a cluster is one server whichever member
 * is reached.
 */
export interface DaemonRecord {
  /** SHA-256 of the server's (or the cluster's) certificate, 64 lower-case hex digits. */
  fingerprint: string;
  /** Where it was reached when the state was bound ("unix socket PATH", "NAME (https://HOST:PORT)"): for messages only. */
  endpoint: string;
  /** Set when the server was a cluster then. */
  clustered?: boolean;
}

export interface State {
  version: 1;
  /** A uuid, fixed for the life of this state: tells two unrelated state files apart. */
  lineage: string;
  /** +1 on every save: tells two versions of the same state apart. */
  serial: number;
  /** The LXD project the state's objects live in (absent in files written before projects were recorded). */
  project?: string;
  /** The server the objects live on (absent in states written before servers were recorded: set by the next save). */
  daemon?: DaemonRecord;
  resources: Record<Address, StateEntry>;
}

/** The version of the state this lxplan writes (and the latest it reads). */
export const STATE_VERSION = 1 as const;

/** A state that manages nothing, with a fresh lineage; serial 0 means "never saved". */
export function emptyState(): State {
  return { version: STATE_VERSION, lineage: randomUUID(), serial: 0, resources: {} };
}

/** A copy of `state` where `address` is recorded as `entry` (added or replaced). */
export function withEntry(state: State, address: Address, entry: StateEntry): State {
  return { ...state, resources: { ...state.resources, [address]: { ...entry } } };
}

/** A copy of `state` without `address`; the same object when it was not there. */
export function withoutEntry(state: State, address: Address): State {
  if (!Object.hasOwn(state.resources, address)) return state;
  const { [address]: _gone, ...rest } = state.resources;
  return { ...state, resources: rest };
}
