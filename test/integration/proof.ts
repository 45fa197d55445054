/** Shared checks for the proof suites (chaos, concurrency, interrupts): what "nothing lost" means. */
import { existsSync } from 'node:fs';
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
  const tracked = new Set(
    Object.values(state?.resources ?? {})
      .filter((e) => e.kind === 'instance')
      .map((e) => e.name),
  );
  const orphans = (await client.listInstances()).map((i) => i.name).filter((n) => !tracked.has(n));
  assert.equal(orphans, [], `orphans after ${context}`);
}

/** After a kill -9 the lock stays behind: clear it the documented way (force-unlock with its ID). */
export async function clearDeadLock(dir: string): Promise<void> {
  const state = path.join(dir, 'lxplan.state.json');
  if (!existsSync(`${state}.lock`)) return;
  const info = await readLockInfo(state);
  // Killed between taking the lock and writing who holds it: "none", once no longer refreshed.
  for (let waited = 0; ; waited += 1000) {
    const r = await run('lxplan', ['force-unlock', info?.id ?? 'none', dir]);
    if (r.code === 0) return;
    assert.ok(!info && waited < 20_000 && /a run may still hold it/.test(r.stderr), show(r));
    await new Promise((res) => setTimeout(res, 1000));
  }
}
