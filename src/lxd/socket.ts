/**
 * Where the local daemon listens: LXD's socket or Incus's (the two may run on one host).
 *
 * The rule, first match wins:
 *  1. an explicit choice (--socket);
 *  2. the daemons' own variables: LXD_SOCKET, then LXD_DIR/unix.socket (as LXD's tools read them),
 *     INCUS_SOCKET, then INCUS_DIR/unix.socket (as Incus's do). Variables of both daemons naming
 *     different sockets are an error: nothing is picked silently;
 *  3. the places packaged daemons put their socket: LXD's (Debian's /var/lib/lxd, the snap's) and
 *     Incus's (/var/lib/incus, /run/incus). When sockets of both daemons exist, that is an error
 *     listing them and how to choose; when only one daemon's does, that one.
 * When no socket exists, Debian's LXD path: the unreachable error then says where lxplan looked.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LxplanError } from '../errors.js';

export const DEBIAN_SOCKET = '/var/lib/lxd/unix.socket';
export const SNAP_SOCKET = '/var/snap/lxd/common/lxd/unix.socket';
export const INCUS_SOCKET = '/var/lib/incus/unix.socket';
export const INCUS_RUN_SOCKET = '/run/incus/unix.socket';

/** The places packaged daemons put their socket, per daemon, in the order they are looked at. */
export const KNOWN_SOCKETS = { lxd: [DEBIAN_SOCKET, SNAP_SOCKET], incus: [INCUS_SOCKET, INCUS_RUN_SOCKET] } as const;

/** Which daemon a socket path is likely to be (for messages only): "Incus", "LXD", or the neutral "LXD or Incus". */
export function daemonAt(socket: string): string {
  if (/incus/i.test(socket)) return 'Incus';
  if (/lxd/i.test(socket)) return 'LXD';
  return 'LXD or Incus';
}

/** Every place lxplan looks for a socket when nothing chooses one: for messages. */
export function knownSocketPaths(): string[] {
  return [...KNOWN_SOCKETS.lxd, ...KNOWN_SOCKETS.incus];
}

const CHOOSE = 'choose one with --socket PATH, or LXD_SOCKET / LXD_DIR (LXD), INCUS_SOCKET / INCUS_DIR (Incus)';

/** The socket a daemon's own variables name, with the variable that named it. */
function fromEnv(env: NodeJS.ProcessEnv, socketVar: string, dirVar: string): { path: string; by: string } | undefined {
  if (env[socketVar]) return { path: env[socketVar], by: socketVar };
  if (env[dirVar]) return { path: path.join(env[dirVar], 'unix.socket'), by: dirVar };
  return undefined;
}

export function resolveSocketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (explicit) return explicit;
  const lxd = fromEnv(env, 'LXD_SOCKET', 'LXD_DIR');
  const incus = fromEnv(env, 'INCUS_SOCKET', 'INCUS_DIR');
  if (lxd && incus && path.resolve(lxd.path) !== path.resolve(incus.path)) {
    throw new LxplanError(
      'usage',
      `${lxd.by} names LXD's socket ${lxd.path} and ${incus.by} names Incus's ${incus.path}: lxplan does not guess which daemon to manage`,
      {
        hint: `unset one of them, or ${CHOOSE}`,
      },
    );
  }
  const chosen = lxd ?? incus;
  if (chosen) return chosen.path;
  const foundLxd = KNOWN_SOCKETS.lxd.find((p) => exists(p));
  const foundIncus = KNOWN_SOCKETS.incus.find((p) => exists(p));
  if (foundLxd && foundIncus) {
    throw new LxplanError('usage', `both LXD (${foundLxd}) and Incus (${foundIncus}) have a socket on this host, and nothing says which daemon to manage`, {
      hint: `${CHOOSE}; e.g. --socket ${foundLxd} or --socket ${foundIncus}`,
    });
  }
  // When neither exists, name the Debian path: the unreachable error then says where it looked.
  return foundLxd ?? foundIncus ?? DEBIAN_SOCKET;
}
