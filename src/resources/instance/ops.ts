/**
 * Instance operations: create, update, state changes, files, delete (the executor runs them; the plan is in spec.ts).
 */
import { LxplanError } from '../../errors.js';
import type { LxdClient } from '../../lxd/client.js';
import { isNotFound } from '../../lxd/client.js';
import type { ConfigMap, LxdInstance, LxdInstancePut } from '../../lxd/types.js';
import { found } from '../fields.js';
import { isServerComputedKey } from './keys.js';
import { canonicalArch } from './arch.js';
import { pushFiles } from './files.js';
import { isOnTarget, moveInstance } from './cluster.js';
import { instanceSourceOf } from './source.js';
import { settleInstance } from './execs-settle.js';
import type { OpEvents, ResourceOps } from '../spec.js';
import { type DesiredInstance, type InstanceState } from '../types.js';
import { STOP_TIMEOUT_S, looksLikeFingerprint, instanceState } from './spec.js';

/** The writable part for `d`, keeping the keys LXD computed itself (volatile.*, image.*). */
export function instancePut(d: DesiredInstance, cur: LxdInstance): LxdInstancePut {
  const config: ConfigMap = {};
  for (const [k, v] of Object.entries(cur.config)) if (isServerComputedKey(k)) config[k] = v;
  Object.assign(config, d.config);
  return {
    architecture: cur.architecture,
    config,
    devices: d.devices,
    ephemeral: Boolean(d.ephemeral),
    profiles: d.profiles,
    stateful: cur.stateful,
    description: d.description,
  };
}

function samePut(a: LxdInstancePut, cur: LxdInstance): boolean {
  const norm = (x: unknown) =>
    JSON.stringify(x, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));
  return (
    norm(a.config) === norm(cur.config) &&
    norm(a.devices) === norm(cur.devices) &&
    norm(a.profiles) === norm(cur.profiles) &&
    (a.description ?? '') === (cur.description ?? '') &&
    Boolean(a.ephemeral) === Boolean(cur.ephemeral)
  );
}

/** A clean stop or restart first; forced when the instance does not stop in time. */
async function stopOrRestart(client: LxdClient, name: string, action: 'stop' | 'restart', ev: OpEvents): Promise<void> {
  try {
    await client.setInstanceState(name, { action, timeout: STOP_TIMEOUT_S, force: false });
  } catch {
    ev.progress(`clean ${action} did not finish in ${STOP_TIMEOUT_S}s, forcing`);
    await client.setInstanceState(name, { action, force: true });
  }
}

function stop(client: LxdClient, name: string, ev: OpEvents): Promise<void> {
  return stopOrRestart(client, name, 'stop', ev);
}

/** Moves an instance from its current status to the desired one. */
export async function convergeState(client: LxdClient, name: string, from: string, to: InstanceState, ev: OpEvents): Promise<void> {
  if (from === to) return;
  if (to === 'running') {
    await client.setInstanceState(name, { action: from === 'frozen' ? 'unfreeze' : 'start' });
  } else if (to === 'stopped') {
    if (from === 'frozen') await client.setInstanceState(name, { action: 'unfreeze' });
    await stop(client, name, ev);
  } else {
    if (from !== 'running') await client.setInstanceState(name, { action: 'start' });
    await client.setInstanceState(name, { action: 'freeze' });
  }
}

export const instanceOps: ResourceOps<DesiredInstance> = {
  exists: (client, name) => found(() => client.getInstance(name), isNotFound),

  async create(client, d, ev) {
    const source = instanceSourceOf(d, looksLikeFingerprint);
    // Created stopped, then started: the instance exists (and is recorded) even if it fails to start.
    const post = {
      name: d.name,
      type: d.type,
      source,
      profiles: d.profiles,
      config: d.config,
      devices: d.devices,
      description: d.description,
      start: false,
      ...(d.ephemeral ? { ephemeral: true } : {}),
      ...(d.architecture ? { architecture: d.architecture } : {}),
    };
    // On a cluster, on the member or group the manifest names (POST ?target=).
    await (d.target ? client.createInstanceOn(post, d.target) : client.createInstance(post));
    if (d.copyOf || d.architecture) {
      const { value: cur, etag } = await client.getInstance(d.name);
      // LXD makes an instance with its image's architecture, whatever was asked (see instance-arch.ts).
      if (d.architecture && canonicalArch(cur.architecture) !== canonicalArch(d.architecture)) {
        throw new LxplanError(
          'apply.failed',
          `LXD made instance "${d.name}" ${cur.architecture}, its image's architecture, not ${d.architecture} as declared; it is left as made (stopped)`,
          {
            hint: `use an image built for ${d.architecture}, or remove architecture: (the next plan replaces it)`,
          },
        );
      }
      // LXD merged the original's config under ours: write the copy's own config, exactly.
      const put = instancePut(d, cur);
      if (!samePut(put, cur)) await client.updateInstance(d.name, put, etag);
    }
    // In place before the first start: what the instance's init reads at boot is there.
    await pushFiles(client, d, ev);
    await convergeState(client, d.name, 'stopped', d.state, ev);
  },

  async update(client, d, ev) {
    let { value: cur, etag } = await client.getInstance(d.name);
    ev.verify?.(cur);
    if (d.target && !(await isOnTarget(client, cur.location, d.target))) {
      // Moved stopped (no live migration here: cluster.ts), then changed and started as declared.
      await moveInstance(client, cur, d.target, () => stop(client, d.name, ev), ev.progress);
      ({ value: cur, etag } = await client.getInstance(d.name));
    }
    const put = instancePut(d, cur);
    let now = instanceState(cur);
    if (!samePut(put, cur)) {
      if (d.state === 'stopped' && now !== 'stopped') {
        // Stopped first, then changed: some devices (ipvlan nics, mig gpus) cannot be added to a
        // running container at all. (Stopping changes volatile keys, hence the ETag: read again.)
        await convergeState(client, d.name, now, 'stopped', ev);
        now = 'stopped';
        const again = await client.getInstance(d.name);
        await client.updateInstance(d.name, instancePut(d, again.value), again.etag);
      } else {
        await client.updateInstance(d.name, put, etag);
      }
    }
    // Only the files the plan changes (all when not known): each is read once, and written if it differs.
    await pushFiles(client, d, ev, ev.changed);
    await convergeState(client, d.name, now, d.state, ev);
  },

  async rename(client, from, d, ev) {
    const { value: cur } = await client.getInstance(from);
    ev.verify?.(cur);
    const status = instanceState(cur);
    if (cur.ephemeral && status !== 'stopped') {
      throw new LxplanError(
        'apply.failed',
        `instance "${from}" is ephemeral and ${status}: LXD renames stopped instances only, and deletes an ephemeral one when it stops; nothing was changed`,
        {
          hint: 'apply ephemeral: false first (under its old name), then the rename; or remove renamed_from to replace it',
        },
      );
    }
    if (status !== 'stopped') {
      ev.progress('stopping to rename (LXD renames stopped instances only)');
      if (status === 'frozen') await client.setInstanceState(from, { action: 'unfreeze' });
      await stop(client, from, ev);
    }
    await client.renameInstance(from, d.name);
    await instanceOps.update(client, d, ev);
  },

  // Once created, changed or restarted: wait_for:, then the execs the plan runs (execs-settle.ts).
  settle: settleInstance,

  async restart(client, name, ev) {
    ev.progress('restarting');
    await stopOrRestart(client, name, 'restart', ev);
  },

  async delete(client, name, ev) {
    let status: string;
    try {
      // The instance itself carries its status: no need for the slower /state endpoint.
      const { value: cur } = await client.getInstance(name);
      ev.verify?.(cur);
      status = instanceState(cur);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (status === 'running' || status === 'frozen') {
      ev.progress('stopping');
      await client.setInstanceState(name, { action: 'stop', force: true });
    }
    try {
      await client.deleteInstance(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
