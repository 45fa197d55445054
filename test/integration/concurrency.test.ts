/**
 * Concurrency: two lxapply started at the same moment on one state, CONCURRENCY_ROUNDS times
 * (default 100): exactly one proceeds, the other fails at once naming it. Each round has a real
 * change to make (three running instances created, or deleted, one at a time), so the winner
 * holds the lock for the time LXD takes, well beyond the two processes' start-up skew.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finish, manifestDir, show, start } from './cli.js';
import { testImage, throwawayProject } from './harness.js';
import { assertNoOrphans, parsedState } from './proof.js';

const ROUNDS = Number(process.env.CONCURRENCY_ROUNDS ?? 100);
const race = suite('concurrency: two lxapply on one state');

race(`${ROUNDS} rounds: exactly one proceeds each time, the other names the holder`, async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const yaml = (withX: boolean) =>
    `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n  base:\n    image: busybox\n    state: stopped\n${withX ? ['x0', 'x1', 'x2'].map((n) => `  ${n}:\n    image: busybox\n`).join('') : ''}`;
  const m = await manifestDir({ 'lxplan.yaml': yaml(false) });
  const args = ['--project', project.name, '--auto-approve', '--allow-delete', '--parallelism', '1', m.dir];
  try {
    const first = await finish(start('lxapply', args));
    assert.is(first.code, 0, show(first));
    for (let i = 0; i < ROUNDS; i++) {
      await m.write({ 'lxplan.yaml': yaml(i % 2 === 0) });
      const a = start('lxapply', args);
      const b = start('lxapply', args);
      const [ra, rb] = await Promise.all([finish(a), finish(b)]);
      const winners = [ra, rb].filter((r) => r.code === 0);
      const losers = [ra, rb].filter((r) => r.code !== 0);
      assert.is(winners.length, 1, `round ${i}: exactly one proceeds\n${show(ra)}\n${show(rb)}`);
      const winnerPid = ra.code === 0 ? a.pid : b.pid;
      assert.is(losers[0].code, 1);
      assert.match(losers[0].stderr, `is locked by pid ${winnerPid} on host`, `round ${i}\n${show(losers[0])}`);
      assert.is(losers[0].stdout, '', 'the loser changed nothing and printed no plan');
      await assertNoOrphans(project.client, await parsedState(m.dir), `round ${i}`);
    }
  } finally {
    await project.cleanup();
    await m.cleanup();
  }
});

race.run();
