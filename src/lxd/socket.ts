/**
 * Where the local daemon listens. The order follows LXD's own tools (an explicit choice,
 * then LXD_SOCKET, then LXD_DIR), then the two places a packaged LXD puts its socket, so
 * lxplan works out of the box on Debian's package and on Ubuntu's snap alike.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DEBIAN_SOCKET = '/var/lib/lxd/unix.socket';
export const SNAP_SOCKET = '/var/snap/lxd/common/lxd/unix.socket';

export function resolveSocketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (explicit) return explicit;
  if (env.LXD_SOCKET) return env.LXD_SOCKET;
  if (env.LXD_DIR) return path.join(env.LXD_DIR, 'unix.socket');
  // When neither exists, name the Debian path: the unreachable error then says where it looked.
  return [DEBIAN_SOCKET, SNAP_SOCKET].find((p) => exists(p)) ?? DEBIAN_SOCKET;
}
