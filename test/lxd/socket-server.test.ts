/**
 * Which local daemon lxplan talks to when LXD and Incus may both run on one host
 * (src/lxd/socket.ts), and what GET /1.0 says about the daemon (src/lxd/server.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LxplanError } from '../../src/errors.js';
import { unreachable } from '../../src/lxd/errors.js';
import { daemonWord, missingExtension, serverInfo } from '../../src/lxd/server.js';
import { DEBIAN_SOCKET, INCUS_RUN_SOCKET, INCUS_SOCKET, SNAP_SOCKET, resolveSocketPath } from '../../src/lxd/socket.js';
import type { LxdServer } from '../../src/lxd/types.js';

const only =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

function refused(f: () => unknown): LxplanError {
  try {
    f();
  } catch (e) {
    assert.instance(e, LxplanError);
    return e as LxplanError;
  }
  throw new Error('expected an error');
}

test('sockets: --socket, then LXD_SOCKET / LXD_DIR, then INCUS_SOCKET / INCUS_DIR', () => {
  const both = only(DEBIAN_SOCKET, INCUS_SOCKET);
  assert.is(resolveSocketPath('/x.sock', { LXD_SOCKET: '/y.sock', INCUS_SOCKET: '/z.sock' }, both), '/x.sock');
  assert.is(resolveSocketPath(undefined, { LXD_SOCKET: '/y.sock' }, both), '/y.sock');
  assert.is(resolveSocketPath(undefined, { LXD_DIR: '/d' }, both), '/d/unix.socket');
  assert.is(resolveSocketPath(undefined, { INCUS_SOCKET: '/i.sock' }, both), '/i.sock');
  assert.is(resolveSocketPath(undefined, { INCUS_DIR: '/id' }, both), '/id/unix.socket');
  // Both daemons' variables naming one socket is one choice.
  assert.is(resolveSocketPath(undefined, { LXD_SOCKET: '/s', INCUS_SOCKET: '/s' }, both), '/s');
});

test("sockets: both daemons' variables naming different sockets is an error naming both", () => {
  const e = refused(() => resolveSocketPath(undefined, { LXD_DIR: '/l', INCUS_SOCKET: '/i.sock' }, only()));
  assert.is(e.code, 'usage');
  assert.match(e.message, "LXD_DIR names LXD's socket /l/unix.socket and INCUS_SOCKET names Incus's /i.sock");
  assert.match(e.hint ?? '', '--socket');
});

test('sockets: the packaged places, when only one daemon has a socket', () => {
  assert.is(resolveSocketPath(undefined, {}, only(DEBIAN_SOCKET)), DEBIAN_SOCKET);
  assert.is(resolveSocketPath(undefined, {}, only(SNAP_SOCKET)), SNAP_SOCKET);
  assert.is(resolveSocketPath(undefined, {}, only(INCUS_SOCKET)), INCUS_SOCKET);
  assert.is(resolveSocketPath(undefined, {}, only(INCUS_RUN_SOCKET)), INCUS_RUN_SOCKET);
  assert.is(resolveSocketPath(undefined, {}, only()), DEBIAN_SOCKET, 'none: the Debian path, for the unreachable error');
});

test('sockets: LXD and Incus both there and nothing chooses: an error listing both and how to choose', () => {
  for (const [l, i] of [
    [DEBIAN_SOCKET, INCUS_SOCKET],
    [SNAP_SOCKET, INCUS_RUN_SOCKET],
  ]) {
    const e = refused(() => resolveSocketPath(undefined, {}, only(l, i)));
    assert.is(e.code, 'usage');
    assert.match(e.message, `both LXD (${l}) and Incus (${i}) have a socket on this host`);
    assert.match(e.hint ?? '', `--socket ${l} or --socket ${i}`);
    assert.match(e.hint ?? '', 'INCUS_SOCKET');
  }
});

test('unreachable: the message names the daemon the socket belongs to', () => {
  const gone = Object.assign(new Error('x'), { code: 'ENOENT' });
  assert.match(unreachable(INCUS_SOCKET, gone).message, `cannot reach Incus at ${INCUS_SOCKET}: the socket does not exist`);
  assert.match(unreachable(INCUS_SOCKET, gone).hint ?? '', 'scripts/incus-up.sh');
  assert.match(unreachable(DEBIAN_SOCKET, gone).message, `cannot reach LXD at ${DEBIAN_SOCKET}`);
  assert.match(unreachable('/tmp/x.sock', gone).message, 'cannot reach LXD or Incus at /tmp/x.sock');
});

const lxd: LxdServer = { api_version: '1.0', api_extensions: ['projects'], environment: { server: 'lxd', server_version: '5.0.2' } };
const incus: LxdServer = { api_version: '1.0', api_extensions: ['projects', 'storage_buckets'], environment: { server: 'incus', server_version: '6.0.4' } };

test('server: LXD or Incus from environment.server, with its header prefix and word', () => {
  assert.equal([serverInfo(lxd).kind, serverInfo(lxd).word, serverInfo(lxd).headerPrefix], ['lxd', 'LXD', 'x-lxd-']);
  assert.equal([serverInfo(incus).kind, serverInfo(incus).word, serverInfo(incus).headerPrefix], ['incus', 'Incus', 'x-incus-']);
  assert.is(daemonWord(undefined), 'LXD', 'not read (fixtures): LXD');
  assert.is(daemonWord(serverInfo(incus)), 'Incus');
});

test('server: a missing API extension is named, with the daemon and its version', () => {
  assert.is(missingExtension(incus, 'storage_buckets', 'x'), undefined);
  assert.is(missingExtension(undefined, 'storage_buckets', 'x'), undefined, 'not read: not refused');
  assert.is(
    missingExtension(lxd, 'storage_buckets', 'config key features.storage.buckets'),
    'config key features.storage.buckets needs the API extension "storage_buckets", which the connected daemon (LXD 5.0.2) does not have',
  );
});

test.run();
