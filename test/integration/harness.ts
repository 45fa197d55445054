/**
 * What every integration test stands on: a throwaway LXD project (so tests never touch
 * the user's objects, nor each other's) and the busybox test image. Projects carry who
 * made them (host, pid, time) in `user.*` config, so a sweep can tell the leftovers of a
 * crashed run from the projects of a run still going on another terminal.
 */
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LxdClient, isNotFound, isProjectMissing } from '../../src/lxd/client.js';
import { ensureBusyboxImage } from '../../src/resources/image/files.js';

export const TEST_PREFIX = 'lxplan-test';

/**
 * The daemon the integration tests run against: test/run.mjs says so (LXPLAN_TEST_DAEMON, one pass
 * per daemon); else the socket's path tells. For the few assertions on what is the daemon's own
 * (its version, its firewall table's name).
 */
export const TEST_DAEMON: 'lxd' | 'incus' =
  process.env.LXPLAN_TEST_DAEMON === 'incus' || (!process.env.LXPLAN_TEST_DAEMON && /incus/.test(process.env.LXD_SOCKET ?? process.env.INCUS_SOCKET ?? ''))
    ? 'incus'
    : 'lxd';

/** "LXD" or "Incus": the daemon's name in lxplan's texts, as lxplan says it for TEST_DAEMON. */
export const DAEMON_WORD = TEST_DAEMON === 'incus' ? 'Incus' : 'LXD';

/** The whole output of a plan with nothing to do, in the words of the daemon under test. */
export const NO_CHANGES = `No changes. ${DAEMON_WORD} matches the manifests.\n`;

/** Config keys recording who owns a test project. */
const OWNER_HOST = 'user.lxplan.test.host';
const OWNER_PID = 'user.lxplan.test.pid';
const OWNER_SINCE = 'user.lxplan.test.created';

/** A test run never lasts this long: older projects are leftovers even if their pid lives (pids are reused). */
const MAX_AGE_MS = 60 * 60 * 1000;

export interface ThrowawayProject {
  name: string;
  /** A client scoped to the project. */
  client: LxdClient;
  /**
   * Records a global object this test makes (networks, storage pools and projects live outside
   * projects): a sweep of this project, after a crash, deletes it too. Call before creating it:
   * a name that exists already is refused (it is not this test's to delete).
   */
  claim(kind: GlobalKind, name: string): Promise<void>;
  /** Removes everything in the project and what it claimed, then the project. Idempotent; 404s are fine. */
  cleanup(): Promise<void>;
}

/** network_acl: an ACL of the default project (where a bridge's ACLs live), global to a test project without features.networks. */
export type GlobalKind = 'network' | 'network_acl' | 'storage_pool' | 'project';
/** The global objects a test project claimed: "network:lxpn1a2b3c,storage_pool:lxplan-test-1a2b3c". */
const CLAIMED = 'user.lxplan.test.globals';

/**
 * A new empty project with its own images and profiles (storage volumes and networks
 * stay the default project's) and a `default` profile holding a root disk on the
 * `default` pool, as `lxd init` gives the default project.
 */
export async function throwawayProject(prefix = TEST_PREFIX): Promise<ThrowawayProject> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const root = new LxdClient();
  await root.createProject({
    name,
    description: 'lxplan integration test: safe to delete when no test runs',
    config: {
      'features.images': 'true',
      'features.profiles': 'true',
      'features.storage.volumes': 'false',
      [OWNER_HOST]: hostname(),
      [OWNER_PID]: String(process.pid),
      [OWNER_SINCE]: new Date().toISOString(),
    },
  });
  const client = root.withProject(name);
  let done: Promise<void> | undefined;
  const cleanup = () => (done ??= purgeProject(root, name).finally(() => root.close()));
  try {
    const { value: profile, etag } = await client.getProfile('default');
    await client.updateProfile(
      'default',
      {
        description: profile.description,
        config: profile.config,
        devices: { ...profile.devices, root: { type: 'disk', path: '/', pool: 'default' } },
      },
      etag,
    );
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
  const claim = async (kind: GlobalKind, global: string) => {
    // Only a name nobody holds yet: the sweep and cleanup delete what was claimed, and an object
    // that exists already is someone else's (a user's network, an example applied by hand).
    if (await globalExists(root, kind, global))
      throw new Error(
        `${kind.replace('_', ' ')} "${global}" exists already in LXD: a test claims only a name it is about to create (its cleanup would delete someone else's object)`,
      );
    const { value: p, etag } = await root.getProject(name);
    const list = [...new Set([...(p.config[CLAIMED] ?? '').split(',').filter(Boolean), `${kind}:${global}`])];
    await root.updateProject(name, { description: p.description, config: { ...p.config, [CLAIMED]: list.join(',') } }, etag);
  };
  return { name, client, claim, cleanup };
}

/** Whether a global object of that kind and name exists (a 404 says it does not). */
async function globalExists(root: LxdClient, kind: GlobalKind, name: string): Promise<boolean> {
  const get = {
    network: () => root.getNetwork(name),
    network_acl: () => root.getNetworkAcl(name),
    storage_pool: () => root.getStoragePool(name),
    project: () => root.getProject(name),
  }[kind];
  return get().then(
    () => true,
    (e) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );
}

/**
 * Deletes a project and everything in it: instances (force-stopped first), and the images,
 * profiles other than `default` and custom volumes it holds itself (only with the matching
 * `features.*`: without it, what LXD lists there is the default project's). Anything already
 * gone is fine, so it can race with a test's own cleanup and be called twice.
 */
export async function purgeProject(root: LxdClient, name: string): Promise<void> {
  // Never the default project (everything a user has), whatever a caller or a claim says.
  if (name === 'default') throw new Error('purgeProject: never the default project');
  const c = root.withProject(name);
  // Gone: the object, or the whole project (LXD then answers "Project not found" in it).
  const gone = (e: unknown) => {
    if (!isNotFound(e) && !isProjectMissing(e)) throw e;
  };
  let config: Record<string, string>;
  let instances;
  try {
    config = (await root.getProject(name)).value.config ?? {};
    instances = await c.listInstances();
  } catch (e) {
    // LXD answers 404 for a project that no longer exists.
    return gone(e);
  }
  // A project without features.images (profiles, storage.volumes) lists the default project's
  // images (profiles, volumes) as its own: those are not its to delete.
  const own = (feature: string) => config[`features.${feature}`] === 'true';
  await Promise.all(
    instances.map(async (i) => {
      if (i.status !== 'Stopped') {
        await c.setInstanceState(i.name, { action: 'stop', force: true }).catch(async (e) => {
          // Stopped meanwhile (its init exited) is fine; anything else is not.
          if (isNotFound(e)) return;
          const now = await c.getInstanceState(i.name).catch(() => undefined);
          if (now && now.status !== 'Stopped') throw e;
        });
      }
      await c.deleteInstance(i.name).catch(gone);
    }),
  );
  const none = (e: unknown): [] => {
    gone(e);
    return [];
  };
  if (own('images')) await Promise.all((await c.listImages().catch(none)).map((img) => c.deleteImage(img.fingerprint).catch(gone)));
  if (own('profiles')) {
    await Promise.all((await c.listProfiles().catch(none)).filter((p) => p.name !== 'default').map((p) => c.deleteProfile(p.name).catch(gone)));
  }
  if (own('storage.volumes')) {
    for (const pool of await root.listStoragePools().catch(none)) {
      await Promise.all((await c.listCustomVolumes(pool.name).catch(none)).map((v) => c.deleteCustomVolume(pool.name, v.name).catch(gone)));
    }
  }
  await deleteClaimed(root, name);
  await root.deleteProject(name).catch(gone);
}

/** Deletes the global objects a test project claimed: projects (with their contents), then networks, then the ACLs they used, then pools (volumes first). */
async function deleteClaimed(root: LxdClient, project: string): Promise<void> {
  const gone = (e: unknown) => {
    if (!isNotFound(e)) throw e;
  };
  const config =
    (
      await root.getProject(project).catch((e) => {
        gone(e);
        return undefined;
      })
    )?.value.config ?? {};
  const claimed = (config[CLAIMED] ?? '')
    .split(',')
    .filter(Boolean)
    .map((c) => c.split(':') as [GlobalKind, string]);
  // `default` (project, pool) always exists, so no test ever made it: never purge it, whatever a claim says.
  const of = (kind: GlobalKind) => claimed.filter(([k, n]) => k === kind && n !== 'default').map(([, n]) => n);
  for (const p of of('project')) await purgeProject(root, p);
  for (const n of of('network')) await root.deleteNetwork(n).catch(gone);
  for (const n of of('network_acl')) await root.deleteNetworkAcl(n).catch(gone);
  for (const pool of of('storage_pool')) {
    const volumes = await root.listCustomVolumes(pool).catch((e) => {
      gone(e);
      return [];
    });
    for (const v of volumes) await root.deleteCustomVolume(pool, v.name).catch(gone);
    await root.deleteStoragePool(pool).catch(gone);
  }
}

/** Why a test project is a leftover, or undefined when its run may still be going. */
export function staleReason(
  config: Record<string, string>,
  now = Date.now(),
  host = hostname(),
  alive: (pid: number) => boolean = pidAlive,
): string | undefined {
  const since = Date.parse(config[OWNER_SINCE] ?? '');
  const pid = Number(config[OWNER_PID]);
  if (!Number.isFinite(since) || !Number.isInteger(pid)) return 'no owner recorded';
  if (now - since > MAX_AGE_MS) return 'older than an hour';
  if (config[OWNER_HOST] !== host) return undefined; // another machine's run: only age tells
  if (pid === process.pid) return undefined;
  return alive(pid) ? undefined : `its test process ${pid} is gone`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the leftovers of crashed runs (see staleReason); returns what it deleted. */
export async function sweepStaleTestProjects(prefix = TEST_PREFIX): Promise<string[]> {
  const root = new LxdClient();
  try {
    const stale = (await root.listProjects()).filter((p) => p.name.startsWith(`${prefix}-`) && staleReason(p.config ?? {}) !== undefined);
    // One leftover that cannot be removed (an object still in use) does not keep the others.
    const failed: string[] = [];
    for (const p of stale)
      await purgeProject(root, p.name).catch((e) => {
        failed.push(`${p.name}: ${(e as Error).message}`);
      });
    if (failed.length) throw new Error(`the sweep could not remove ${failed.length} leftover test project(s):\n${failed.join('\n')}`);
    return stale.map((p) => p.name);
  } finally {
    root.close();
  }
}

export interface TestImage {
  metadataPath: string;
  rootfsPath: string;
  fingerprint: string;
}

/** Bump when buildBusyboxImage changes what it writes, so cached builds are not reused. */
const IMAGE_CACHE_VERSION = 1;
let image: Promise<TestImage> | undefined;

/** The busybox test image, built once into the OS temp dir and reused while busybox is unchanged. */
export function testImage(): Promise<TestImage> {
  image ??= ensureBusyboxImage(path.join(tmpdir(), `lxplan-test-image-v${IMAGE_CACHE_VERSION}`)).then(({ metadataPath, rootfsPath, fingerprint }) => ({
    metadataPath,
    rootfsPath,
    fingerprint,
  }));
  return image;
}
