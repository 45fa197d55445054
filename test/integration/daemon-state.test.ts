/**
 * A state kept on the daemon (`--state lxd:NAME`, src/state/daemon-store.ts), against the real
 * second LXD (scripts/lxd2-up.sh; its own daemon, not the user's): saved and read back through
 * the project's config, the lock taken with If-Match so that of two runs racing exactly one
 * wins, a lock whose holder stopped refreshing taken over, a lock lost while held reported, and a
 * corrupt state named. Every project the test makes is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { DaemonStore, LOCK_KEY, LOCK_OBJECT, STATE_KEY, STATE_PROJECT_PREFIX } from '../../src/state/daemon-store.js';
import { StateManager } from '../../src/state/manager.js';
import { withEntry } from '../../src/state/model.js';
import { run, show } from './cli.js';

const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const FAST = { staleMs: 1500, updateMs: 250 };

type Ctx = { lxd2: LxdClient; names: string[]; store(): DaemonStore };
const it = suite<Ctx>('state kept on the daemon');

it.before(async (ctx) => {
  ctx.lxd2 = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  ctx.names = [];
  ctx.store = () => {
    const name = `it-${randomBytes(3).toString('hex')}`;
    ctx.names.push(name);
    return new DaemonStore(ctx.lxd2, name, 'the second daemon');
  };
  await ctx.lxd2.request('GET', '/1.0').catch((e: Error) => {
    throw new Error(`the second LXD (${LXD2_DIR}) is needed: run scripts/lxd2-up.sh (${e.message})`);
  });
});

it.after(async (ctx) => {
  for (const n of ctx.names) await ctx.lxd2.request('DELETE', `/1.0/projects/${STATE_PROJECT_PREFIX}${n}`).catch(() => undefined);
  ctx.lxd2.close();
});

const entry = (name: string) => ({ kind: 'profile' as const, name, since: '2026-01-01T00:00:00Z' });

it('saved, then read back by another manager, gzipped in one user key of its own project', async (ctx) => {
  const store = ctx.store();
  const a = await StateManager.openStore(store, { operation: 'apply', lock: true, lockTimings: FAST });
  assert.is(a.state.serial, 0, 'nothing saved yet');
  await a.update((s) => withEntry(s, 'profile.one', entry('one')));
  await a.update((s) => withEntry(s, 'profile.two', entry('two')));
  await a.release();
  const b = await StateManager.openStore(new DaemonStore(ctx.lxd2, store.name, 'the second daemon'), { operation: 'plan', lock: false });
  assert.equal(Object.keys(b.state.resources).sort(), ['profile.one', 'profile.two']);
  assert.is(b.state.serial, 2);
  assert.is(b.state.lineage, a.state.lineage);
  const project = await ctx.lxd2.request<{ config: Record<string, string> }>('GET', `/1.0/projects/${store.project}`);
  assert.ok(project.value.config[STATE_KEY].startsWith('H4sI'), 'gzip, base64');
  assert.is(project.value.config[LOCK_KEY], undefined, 'the lock is no key of the project');
  try {
    await ctx.lxd2.withProject(store.project).request('GET', `/1.0/profiles/${LOCK_OBJECT}`);
    assert.unreachable('the lock is still there after release');
  } catch (e) {
    assert.is((e as { status?: number }).status, 404, String(e));
  }
});

it('of two runs taking the lock at once, exactly one wins and the other names it', async (ctx) => {
  const store = ctx.store();
  const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => new DaemonStore(ctx.lxd2, store.name, 'the second daemon').lock('apply', FAST)));
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { code?: string });
  assert.is(won.length, 1, JSON.stringify(results.map((r) => r.status)));
  for (const l of lost) {
    assert.is(l.code, 'state.locked');
    assert.match(l.message, `state lxd:${store.name} (project ${store.project} on the second daemon) is locked by pid ${process.pid}`);
  }
  await won[0].value.release();
});

it('a lock held and refreshed stays held; once its holder stops refreshing it is taken over, and the holder learns it lost it', async (ctx) => {
  const store = ctx.store();
  const first = await store.lock('apply', FAST);
  await new Promise((r) => setTimeout(r, FAST.staleMs + 500));
  try {
    await store.lock('plan', FAST);
    assert.unreachable('took a lock that is refreshed');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'state.locked');
  }
  // The holder freezes (no more refreshes): after staleMs the lock is another run's.
  clearInterval((first as unknown as { timer?: NodeJS.Timeout }).timer);
  await new Promise((r) => setTimeout(r, FAST.staleMs + 300));
  const second = await store.lock('apply', FAST);
  assert.ok(second.info.id !== first.info.id);
  assert.not.ok(await store.touchLock(first.info.id, false), 'the first holder cannot refresh a lock it lost');
  await second.release();
});

it("force-unlock removes a dead run's lock by its ID, and refuses another ID", async (ctx) => {
  const store = ctx.store();
  const held = await store.lock('apply', FAST);
  try {
    await store.forceUnlock('0000');
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, `has ID ${held.info.id}, not 0000: nothing was removed`);
  }
  // As a person does it, from the "locked" message, through the CLI.
  const r = await run('lxplan', ['force-unlock', held.info.id, '--state', `lxd:${store.name}`, '--socket', path.join(LXD2_DIR, 'unix.socket')]);
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, `Removed the lock of lxd:${store.name} (pid ${process.pid} on `);
  const again = await run('lxplan', ['force-unlock', held.info.id, '--state', `lxd:${store.name}`, '--socket', path.join(LXD2_DIR, 'unix.socket')]);
  assert.is(again.code, 1, show(again));
  assert.match(again.stderr, `state lxd:${store.name} (project ${store.project} on ${path.join(LXD2_DIR, 'unix.socket')}) is not locked`);
  await held.release();
});

it('a corrupt state is named, with no backup promised', async (ctx) => {
  const store = ctx.store();
  const m = await StateManager.openStore(store, { operation: 'apply', lock: false });
  await m.update((s) => withEntry(s, 'profile.x', entry('x')));
  const got = await ctx.lxd2.request<{ config: Record<string, string>; description: string }>('GET', `/1.0/projects/${store.project}`);
  await ctx.lxd2.request('PUT', `/1.0/projects/${store.project}`, {
    body: { config: { ...got.value.config, [STATE_KEY]: 'bm90IGd6aXA=' }, description: got.value.description },
  });
  try {
    await StateManager.openStore(store, { operation: 'plan', lock: false });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'state.format');
    assert.match(
      (e as Error).message,
      `state lxd:${store.name} (project ${store.project} on the second daemon) is corrupt (${STATE_KEY} is not gzipped base64)`,
    );
    assert.match((e as { hint?: string }).hint ?? '', 'the daemon keeps no older version');
  }
});

it.run();
