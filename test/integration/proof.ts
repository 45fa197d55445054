/** Shared checks for the proof suites (chaos, concurrency, interrupts): what "nothing lost" means. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import type { LxdClient } from '../../src/lxd/client.js';
import { parse, readLockInfo, type State } from '../../src/state/index.js';
import { run, show } from './cli.js';

/** The state file parses (never a partial write), or does not exist yet. */
export async function parsedState(dir: string): Promise<State | undefined> {
  const file = path.join(dir, 'lxplan.state.json');
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  return text === undefined ? undefined : parse(text, file);
}

/** Every instance in the (throwaway) project is one lxplan tracks: no orphans. */
export async function assertNoOrphans(client: LxdClient, state: State | undefined, context: string): Promise<void> {
  const tracked = new Set(Object.values(state?.resources ?? {}).filter((e) => e.kind === 'instance').map((e) => e.name));
  const orphans = (await client.listInstances()).map((i) => i.name).filter((n) => !tracked.has(n));
  assert.equal(orphans, [], `orphans after ${context}`);
}

/** After a kill -9 the lock stays behind: clear it the documented way (force-unlock with its ID). */
export async function clearDeadLock(dir: string): Promise<void> {
  const info = await readLockInfo(path.join(dir, 'lxplan.state.json'));
  if (!info) return;
  const r = await run('lxplan', ['force-unlock', info.id, dir]);
  assert.is(r.code, 0, show(r));
}
