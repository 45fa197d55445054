/**
 * The LXD client against the real daemon, in a throwaway project: what LXD answers, not
 * what we believe it answers (ETags, 412s, operations, the split-image fingerprint).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLxplanError } from '../../src/errors.js';
import { LxdApiError, LxdClient, isNotFound } from '../../src/lxd/client.js';
import { DEBIAN_SOCKET, SNAP_SOCKET, resolveSocketPath } from '../../src/lxd/socket.js';
import { fingerprintOfSplitImage } from '../../src/resources/image/files.js';
import { memoryLimitOf } from './cgroup.js';
import { TEST_DAEMON, testImage, throwawayProject, type TestImage, type ThrowawayProject } from './harness.js';

let project: ThrowawayProject;
let image: TestImage;

test.before(async () => {
  [project, image] = await Promise.all([throwawayProject(), testImage()]);
});

test.after(async () => {
  await project?.cleanup();
});

/** The rejection of `p`, failing the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new assert.Assertion({ message: 'expected a rejection', generated: false, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

function apiError(e: unknown): LxdApiError {
  assert.instance(e, LxdApiError, String(e));
  return e as LxdApiError;
}

/** The image in the project, uploading it on first use. */
async function uploaded(): Promise<string> {
  const { client } = project;
  if ((await client.listImages()).some((i) => i.fingerprint === image.fingerprint)) return image.fingerprint;
  return client.uploadSplitImage({ metadataPath: image.metadataPath, rootfsPath: image.rootfsPath });
}

test('server() reads the daemon: API 1.0, LXD 5.x or Incus 6.x', async () => {
  const s = await project.client.server();
  assert.is(s.api_version, '1.0');
  assert.match(s.environment?.server_version ?? '', TEST_DAEMON === 'incus' ? /^6\./ : /^5\./);
  assert.ok(s.api_extensions.includes('etag'));
});

test('profiles: create, list, get, update with the current ETag, 412 with a stale one, delete', async () => {
  const { client } = project;
  await client.createProfile({ name: 'small', description: 'one cpu', config: { 'limits.cpu': '1' } });
  const listed = await client.listProfiles();
  assert.equal(listed.map((p) => p.name).sort(), ['default', 'small']);

  const first = await client.getProfile('small');
  assert.is(first.value.config['limits.cpu'], '1');
  assert.match(first.etag ?? '', /^"?[0-9a-f]{64}"?$/);

  await client.updateProfile('small', { description: 'two cpus', config: { 'limits.cpu': '2' }, devices: {} }, first.etag);
  const second = await client.getProfile('small');
  assert.is(second.value.config['limits.cpu'], '2');
  assert.is.not(second.etag, first.etag);

  const e = apiError(await rejection(client.updateProfile('small', { config: { 'limits.cpu': '3' }, devices: {} }, first.etag)));
  assert.is(e.status, 412);
  assert.is(e.code, 'lxd.api');
  assert.match(e.lxdError, /ETag/i);
  assert.ok(e.message.startsWith(e.lxdError), e.message);
  assert.match(e.message, /PUT \/1\.0\/profiles\/small .*412 Precondition Failed/);
  assert.is((await client.getProfile('small')).value.config['limits.cpu'], '2', 'the stale write changed nothing');

  await client.deleteProfile('small');
  assert.ok(isNotFound(await rejection(client.getProfile('small'))));
});

test('requests are scoped to the project: the default project does not see its profiles', async () => {
  const name = `scoped-${project.name.slice(-6)}`;
  await project.client.createProfile({ name });
  const root = new LxdClient();
  try {
    assert.ok(isNotFound(await rejection(root.getProfile(name))));
    assert.ok((await root.withProject(project.name).listProfiles()).some((p) => p.name === name));
  } finally {
    root.close();
    await project.client.deleteProfile(name);
  }
});

test("a value LXD rejects gives 400 and LXD's own message first", async () => {
  const e = apiError(await rejection(project.client.createProfile({ name: 'bad', config: { 'limits.memory': '12XB' } })));
  assert.is(e.status, 400);
  assert.match(e.lxdError, /12XB/);
  assert.ok(e.message.startsWith(e.lxdError), e.message);
  assert.match(e.message, /POST \/1\.0\/profiles/);
});

test("uploadSplitImage: LXD's fingerprint is fingerprintOfSplitImage; aliases; a second upload fails in its operation", async () => {
  const { client } = project;
  const local = await fingerprintOfSplitImage(image.metadataPath, image.rootfsPath);
  let progress = 0;
  const fp = await client.uploadSplitImage({
    metadataPath: image.metadataPath,
    rootfsPath: image.rootfsPath,
    properties: { purpose: 'lxplan test' },
    onProgress: (sent, total) => {
      progress = sent;
      assert.ok(sent <= total);
    },
  });
  assert.is(fp, local);
  assert.ok(progress > 1_000_000, `progress reported ${progress} bytes`);

  const { value: img, etag } = await client.getImage(fp);
  assert.is(img.properties.os, 'busybox');
  assert.is(img.properties.purpose, 'lxplan test');
  assert.is(img.public, false);
  await client.updateImage(fp, { auto_update: img.auto_update, properties: img.properties, public: true }, etag);
  assert.is((await client.getImage(fp)).value.public, true);

  await client.createImageAlias('busybox', fp, 'test image');
  assert.equal(
    (await client.listImageAliases()).map((a) => [a.name, a.target]),
    [['busybox', fp]],
  );
  assert.equal(
    (await client.listImages()).find((i) => i.fingerprint === fp)?.aliases.map((a) => a.name),
    ['busybox'],
  );
  const alias = await client.getImageAlias('busybox');
  assert.is(alias.value.target, fp);
  await client.updateImageAlias('busybox', fp, alias.etag, 'still the test image');
  assert.is((await client.getImageAlias('busybox')).value.description, 'still the test image');
  await client.deleteImageAlias('busybox');
  assert.ok(isNotFound(await rejection(client.getImageAlias('busybox'))));

  const dup = apiError(await rejection(client.uploadSplitImage({ metadataPath: image.metadataPath, rootfsPath: image.rootfsPath })));
  assert.match(dup.lxdError, /already exists/);
  assert.ok(dup.operation?.startsWith('/1.0/operations/'), 'the failure came from the background operation');
});

test('instance: create and start, live memory limit, clean stop within seconds, delete', async () => {
  const { client } = project;
  const fp = await uploaded();
  await client.createInstance({
    name: 'c1',
    source: { type: 'image', fingerprint: fp },
    profiles: ['default'],
    config: { 'limits.memory': '128MB' },
    devices: {},
    start: true,
  });
  const running = await client.getInstanceState('c1');
  assert.is(running.status, 'Running');
  assert.ok(running.pid > 0);
  assert.is(await memoryLimitOf(running.pid), 128_000_000);

  const { value: inst, etag } = await client.getInstance('c1');
  assert.is(inst.config['limits.memory'], '128MB');
  assert.ok((await client.listInstances()).some((i) => i.name === 'c1' && i.status === 'Running'));
  await client.updateInstance(
    'c1',
    { config: { ...inst.config, 'limits.memory': '256MB' }, devices: inst.devices, profiles: inst.profiles, description: inst.description },
    etag,
  );
  const after = await client.getInstanceState('c1');
  assert.is(after.pid, running.pid, 'a live change does not restart');
  assert.is(await memoryLimitOf(after.pid), 256_000_000);
  assert.is(apiError(await rejection(client.updateInstance('c1', { config: {}, devices: {}, profiles: ['default'] }, etag))).status, 412);

  const t0 = Date.now();
  await client.setInstanceState('c1', { action: 'stop', timeout: 30, force: false });
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `clean stop took ${took} ms: the image's init should exit on SIGPWR`);
  assert.is((await client.getInstanceState('c1')).status, 'Stopped');

  await client.deleteInstance('c1');
  assert.ok(isNotFound(await rejection(client.getInstance('c1'))));
});

test('the request counter counts every HTTP request, shared with withProject() clients', async () => {
  const { client } = project;
  const before = client.stats.requests;
  await client.listInstances();
  await client.listProfiles();
  assert.is(client.stats.requests - before, 2, 'one request per list, whatever the number of objects');
  const other = client.withProject('default');
  await other.listProfiles();
  assert.is(client.stats.requests - before, 3);
  assert.is(other.stats, client.stats);
});

test('an unreachable socket is lxd.unreachable, naming the socket and how to start LXD', async () => {
  const socketPath = '/nonexistent/lxplan/unix.socket';
  const c = new LxdClient({ socketPath });
  try {
    const e = await rejection(c.server());
    assert.ok(isLxplanError(e), String(e));
    if (!isLxplanError(e)) return;
    assert.is(e.code, 'lxd.unreachable');
    assert.ok(e.message.includes(socketPath), e.message);
    assert.match(e.hint ?? '', /lxd-up\.sh/);
    assert.match(e.hint ?? '', /LXD_SOCKET/);
  } finally {
    c.close();
  }
});

test('socket path: option, then LXD_SOCKET, then LXD_DIR, then the Debian or snap path that exists', () => {
  const none = () => false;
  assert.is(resolveSocketPath('/x.sock', { LXD_SOCKET: '/y.sock' }, none), '/x.sock');
  assert.is(resolveSocketPath(undefined, { LXD_SOCKET: '/y.sock', LXD_DIR: '/d' }, none), '/y.sock');
  assert.is(resolveSocketPath(undefined, { LXD_DIR: '/d' }, none), '/d/unix.socket');
  assert.is(
    resolveSocketPath(undefined, {}, (p) => p === SNAP_SOCKET),
    SNAP_SOCKET,
  );
  assert.is(resolveSocketPath(undefined, {}, none), DEBIAN_SOCKET);
});

test.run();
