/**
 * Which daemon answers: LXD or Incus (the community fork of LXD). Both serve the same REST API
 * (/1.0, the same objects and config keys); what differs is read once per connection from
 * GET /1.0 and kept here:
 *
 *  - `environment.server`: "lxd" (LXD 5.0.2) or "incus" (Incus 6.0.4). A daemon that does not
 *    say (older LXD) is LXD.
 *  - `api_extensions`: what the daemon supports beyond API 1.0 (LXD 5.0.2: 318, Incus 6.0.4: 450).
 *    A key that needs an extension the daemon lacks is refused at plan time, naming it
 *    (missingExtension), instead of by the daemon half-way through an apply.
 *  - the prefix of the headers the file API and image uploads use: LXD's `X-LXD-Type`,
 *    `X-LXD-Mode`, `X-LXD-public`, ... are `X-Incus-Type`, `X-Incus-Mode`, `X-Incus-public` on
 *    Incus, which ignores the X-LXD-* ones (a file pushed with them gets the default owner and
 *    mode; one pulled has no type).
 *  - the word for messages: "LXD" or "Incus" (daemonWord).
 *
 * What a difference means for one kind of object (the keys a daemon fills in, the texts it
 * writes) stays in that kind's folder, keyed by this module's ServerInfo.
 */
import type { LxdServer } from './types.js';

export type DaemonKind = 'lxd' | 'incus';

export interface ServerInfo {
  kind: DaemonKind;
  /** "LXD" or "Incus": the daemon's name in messages. */
  word: string;
  /** environment.server_version ("5.0.2", "6.0.4"); "" when not said. */
  version: string;
  /** api_extensions. */
  extensions: ReadonlySet<string>;
  /** The file API's and image upload's header prefix, lower case: "x-lxd-" or "x-incus-". */
  headerPrefix: string;
}

const WORDS: Record<DaemonKind, string> = { lxd: 'LXD', incus: 'Incus' };

/** What GET /1.0 says about the daemon (undefined: not read, e.g. planner fixtures: LXD). */
export function serverInfo(s: LxdServer | undefined): ServerInfo {
  const kind: DaemonKind = s?.environment?.server === 'incus' ? 'incus' : 'lxd';
  return {
    kind,
    word: WORDS[kind],
    version: s?.environment?.server_version ?? '',
    extensions: new Set(s?.api_extensions ?? []),
    headerPrefix: kind === 'incus' ? 'x-incus-' : 'x-lxd-',
  };
}

/** The API extensions of a daemon, from GET /1.0 or its ServerInfo (none when not read). */
export function extensionsOf(s: LxdServer | ServerInfo | undefined): ReadonlySet<string> {
  if (!s) return new Set();
  return 'word' in s ? s.extensions : new Set(s.api_extensions ?? []);
}

/** "LXD" or "Incus" for a daemon kind (a plan's `daemon`). */
export function wordOf(kind: DaemonKind): string {
  return WORDS[kind];
}

/** "LXD", "Incus"; "LXD" when the daemon is not known. */
export function daemonWord(s: LxdServer | ServerInfo | undefined): string {
  if (s && 'word' in s) return s.word;
  return serverInfo(s).word;
}

/** "Incus 6.0.4", "LXD 5.0.2". */
export function daemonLabel(info: ServerInfo): string {
  return info.version ? `${info.word} ${info.version}` : info.word;
}

/**
 * Why a daemon cannot take something that needs API extension `extension` (`what`: the key or
 * field, for the message), or undefined when it can, or when the daemon was not read.
 */
export function missingExtension(s: LxdServer | undefined, extension: string, what: string): string | undefined {
  if (!s) return undefined;
  const info = serverInfo(s);
  if (info.extensions.has(extension)) return undefined;
  return `${what} needs the API extension "${extension}", which the connected daemon (${daemonLabel(info)}) does not have`;
}

/** Server information per connection (a transport), read once: GET /1.0 or the first plan's read of it. */
const known = new WeakMap<object, ServerInfo>();

export function rememberServer(connection: object, s: LxdServer): ServerInfo {
  const info = serverInfo(s);
  known.set(connection, info);
  return info;
}

export function rememberedServer(connection: object): ServerInfo | undefined {
  return known.get(connection);
}
