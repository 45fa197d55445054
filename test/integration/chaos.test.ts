/**
 * Chaos: lxapply is killed with SIGKILL at random points while it creates, updates and deletes
 * containers; after each kill the state must parse, and running lxapply again must converge
 * with no orphan and no lost instance. CHAOS_KILLS sets the number of kills (default 50, as
 * in CI; `npm run chaos` runs more and reports them in docs/reliability.md).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finish, manifestDir, run, show, start } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';
import { assertNoOrphans, clearDeadLock, parsedState } from './proof.js';

const KILLS = Number(process.env.CHAOS_KILLS ?? 50);
const chaos = suite('chaos: kill -9 at random points');

/** Deterministic pseudo-random numbers, so a failing run can be replayed (CHAOS_SEED). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

chaos(`${KILLS} kills: the state always parses, and the next run converges with no orphan and no lost instance`, async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100000);
  const random = rng(seed);
  const yaml = (names: string[], memory: string) =>
    `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\nprofiles:\n  small:\n    limits: {memory: ${memory}}\ninstances:\n${names.map((n, i) => `  ${n}:\n    image: busybox\n    profiles: [default, small]\n${i % 3 === 2 ? '    state: stopped\n' : ''}`).join('')}`;
  const m = await manifestDir({});
  const stats = { killed: 0, finishedFirst: 0, adoptedOrRetried: 0 };
  try {
    for (let i = 0; i < KILLS; i++) {
      // Alternate between sets that need creates, deletes and updates.
      const names = Array.from({ length: 6 }, (_, k) => `c${(k + i * 2) % 10}`);
      const desired = yaml(names, random() < 0.5 ? '128MB' : '192MB');
      await m.write({ 'lxplan.yaml': desired });
      const child = start('lxapply', ['--project', project.name, '--auto-approve', '--allow-delete', m.dir]);
      const done = finish(child);
      const delay = 200 + Math.floor(random() * 1300);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const r = await done;
      clearTimeout(timer);
      if (r.code === 0) stats.finishedFirst++;
      else {
        assert.is(r.code, null, `lxapply ended by itself with an error before the kill (seed ${seed}, kill ${i})\n${show(r)}`);
        stats.killed++;
      }
      const context = `kill ${i} after ${delay} ms (seed ${seed})`;
      const state = await parsedState(m.dir);
      await assertNoOrphans(project.client, state, context);
      await clearDeadLock(m.dir);
      const again = await run('lxapply', ['--project', project.name, '--auto-approve', '--allow-delete', m.dir]);
      assert.is(again.code, 0, `${context}: the next run converges\n${show(again)}`);
      if (/interrupted apply/.test(again.stdout)) stats.adoptedOrRetried++;
      const plan = await run('lxplan', ['--project', project.name, m.dir]);
      assert.is(plan.stdout, NO_CHANGES, `${context}\n${show(plan)}`);
      const live = (await project.client.listInstances()).map((x) => x.name).sort();
      assert.equal(live, [...names].sort(), `${context}: every desired instance exists, nothing else`);
      await assertNoOrphans(project.client, await parsedState(m.dir), context);
    }
    console.log(
      `  chaos: ${stats.killed} killed mid-apply, ${stats.finishedFirst} finished before the kill, ${stats.adoptedOrRetried} next runs adopted or redid an interrupted change (seed ${seed})`,
    );
    assert.ok(stats.killed >= KILLS / 2, `most runs were really interrupted (${stats.killed} of ${KILLS})`);
  } finally {
    await project.cleanup();
    await m.cleanup();
  }
});

chaos.run();
