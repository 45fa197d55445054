/** Tiny builders for state tests: entries, temp folders, and error capture. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LxplanError } from '../../src/errors.js';
import type { StateEntry } from '../../src/state/index.js';

export function entry(address: string, extra: Partial<StateEntry> = {}): StateEntry {
  const i = address.indexOf('.');
  return { kind: address.slice(0, i) as StateEntry['kind'], name: address.slice(i + 1), since: '2026-11-23T21:40:00.000Z', ...extra };
}

/** A fresh folder; the callback gets it and the state path inside it. Removed afterwards. */
export async function inTempDir<R>(fn: (dir: string, statePath: string) => Promise<R>): Promise<R> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lxplan-state-'));
  try {
    return await fn(dir, path.join(dir, 'lxplan.state.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The LxplanError `fn` throws (fails the test when it throws nothing or something else). */
export async function lxplanError(fn: () => unknown): Promise<LxplanError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof LxplanError) return e;
    throw new Error(`expected an LxplanError, got ${String(e)}`);
  }
  throw new Error('expected an LxplanError, nothing was thrown');
}
