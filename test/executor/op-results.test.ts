/**
 * Operations return what they did; the executor records it in the state entry, and nothing is
 * written into the plan while it runs (here with a fake image operation: no LXD needed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply } from '../../src/executor/index.js';
import type { LxdClient } from '../../src/lxd/client.js';
import { summarise, type Plan, type ResourceChange } from '../../src/planner/plan.js';
import { ops } from '../../src/resources/index.js';
import type { ResourceOps } from '../../src/resources/spec.js';
import type { DesiredImage } from '../../src/resources/types.js';
import { StateManager } from '../../src/state/index.js';
import { inTempDir } from '../state/helpers.js';

const MADE = 'a'.repeat(64);

function imageCreate(fingerprint?: string): Plan {
  const desired = {
    kind: 'image',
    name: 'made',
    at: { file: 'x.yaml', line: 1, column: 1 },
    source: { instance: 'web' },
    ...(fingerprint ? { fingerprint } : {}),
  } as unknown as DesiredImage;
  const changes: ResourceChange[] = [
    { address: 'image.made', kind: 'image', name: 'made', action: 'create', desired, fields: [], dependsOn: [], stateOp: 'add' },
  ];
  return { formatVersion: 1, changes, summary: summarise(changes), state: { lineage: '', serial: 0 }, options: {} };
}

async function applyWith(fake: Partial<ResourceOps>, plan: Plan, statePath: string) {
  const real = ops.image;
  ops.image = { ...real, ...fake };
  try {
    const state = await StateManager.open(statePath, { operation: 'apply', lock: false });
    const result = await apply(plan, { client: {} as LxdClient, state, concurrency: 1 });
    await state.release();
    return { result, state: state.state };
  } finally {
    ops.image = real;
  }
}

test('the fingerprint an operation reports is recorded; the plan is not written to', () =>
  inTempDir(async (_dir, p) => {
    const plan = imageCreate();
    const before = JSON.stringify(plan);
    const { result, state } = await applyWith({ create: () => Promise.resolve({ fingerprint: MADE }) }, plan, p);
    assert.equal(result.failed, []);
    assert.is(state.resources['image.made']?.fingerprint, MADE);
    assert.is(JSON.stringify(plan), before);
  }));

test('without a report, the planned fingerprint is recorded', () =>
  inTempDir(async (_dir, p) => {
    const planned = 'b'.repeat(64);
    const { state } = await applyWith({ create: () => Promise.resolve(undefined) }, imageCreate(planned), p);
    assert.is(state.resources['image.made']?.fingerprint, planned);
  }));

test.run();
