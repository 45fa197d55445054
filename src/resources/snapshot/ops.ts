/**
 * Snapshot operations: taking and deleting instance snapshots (the executor runs them; the plan is in spec.ts).
 */
import { isNotFound } from '../../lxd/client.js';
import { found } from '../fields.js';
import type { ResourceOps } from '../spec.js';
import { splitSnapshotName, type DesiredSnapshot } from '../types.js';

export const snapshotOps: ResourceOps<DesiredSnapshot> = {
  async exists(client, name) {
    const { instance, snapshot } = splitSnapshotName(name);
    return found(() => client.getSnapshot(instance, snapshot), isNotFound);
  },
  async create(client, d) {
    await client.createSnapshot(d.instance, d.snapshot, false);
  },
  // Never planned (no fields): a snapshot is kept as taken.
  async update() {},
  async delete(client, name, ev) {
    const { instance, snapshot } = splitSnapshotName(name);
    try {
      if (ev.verify) ev.verify((await client.getSnapshot(instance, snapshot)).value);
      await client.deleteSnapshot(instance, snapshot);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
