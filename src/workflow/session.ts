/**
 * One run of lxplan: manifests loaded and checked, state opened (and locked), LXD read,
 * plan computed. The commands call these; they hold no logic of their own.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LxplanError } from '../errors.js';
import { LxdClient } from '../lxd/client.js';
import { loadManifests } from '../manifest/index.js';
import { plan as makePlan, type Plan } from '../planner/index.js';
import { fingerprintOfSplitImage } from '../resources/image-files.js';
import { readLive } from '../resources/live.js';
import type { Manifest } from '../resources/types.js';
import { StateManager } from '../state/index.js';

export const STATE_FILE = 'lxplan.state.json';

export interface SessionOptions {
  /** A manifest directory or file. */
  path: string;
  /** State file; default lxplan.state.json next to the manifests. */
  statePath?: string;
  /** LXD project; default "default". */
  project?: string;
  /** LXD unix socket; default from LXD_SOCKET / LXD_DIR / the usual places. */
  socket?: string;
  operation: 'plan' | 'apply';
}

export interface Session {
  manifest: Manifest;
  client: LxdClient;
  state: StateManager;
  statePath: string;
  plan: Plan;
  close(): Promise<void>;
}

export async function defaultStatePath(manifestPath: string): Promise<string> {
  const st = await stat(manifestPath).catch(() => undefined);
  return path.join(st?.isFile() ? path.dirname(manifestPath) : manifestPath, STATE_FILE);
}

/** Hashes each local image's tarballs: the fingerprint LXD will give it. */
export async function computeFingerprints(m: Manifest): Promise<void> {
  await Promise.all(Object.values(m.images).map(async (img) => {
    try {
      img.fingerprint = await fingerprintOfSplitImage(img.source.metadata, img.source.rootfs);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new LxplanError('manifest.io', `image "${img.name}": cannot read ${err.path ?? 'its tarballs'}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, {
        location: img.keyAt?.['source.metadata'] ?? img.keyAt?.source ?? img.at,
        hint: 'paths in source: are relative to the manifest file; build the tarballs first (see the example\'s README)',
      });
    }
  }));
}

/** Loads and checks the manifests only: nothing is read from LXD. */
export async function loadChecked(manifestPath: string): Promise<Manifest> {
  const m = await loadManifests(manifestPath);
  await computeFingerprints(m);
  return m;
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const manifest = await loadChecked(opts.path);
  const statePath = opts.statePath ?? (await defaultStatePath(opts.path));
  const state = await StateManager.open(statePath, { operation: opts.operation, lock: true });
  const client = new LxdClient({ project: opts.project, socketPath: opts.socket });
  const close = async () => {
    client.close();
    await state.release();
  };
  try {
    const live = await readLive(client);
    const plan = makePlan({ manifest, live, state: state.state });
    return { manifest, client, state, statePath, plan, close };
  } catch (e) {
    await close();
    throw e;
  }
}
