/**
 * Interrupts: the first SIGINT starts nothing new, lets what runs finish, saves the state,
 * releases the lock and exits non-zero saying what was and was not done.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finish, manifestDir, run, show, start } from './cli.js';
import { testImage, throwawayProject } from './harness.js';
import { assertNoOrphans, parsedState } from './proof.js';

const it = suite('interrupts');

it('SIGINT mid-apply: in-flight changes finish and are recorded, the rest is not started', async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const names = Array.from({ length: 8 }, (_, i) => `i${i}`);
  const m = await manifestDir({
    'lxplan.yaml': `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n${names.map((n) => `  ${n}:\n    image: busybox\n    state: stopped\n`).join('')}`,
  });
  try {
    const child = start('lxapply', ['--project', project.name, '--auto-approve', '--parallelism', '1', m.dir]);
    const done = finish(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('instance i0: created')) resolve();
      }),
    );
    child.kill('SIGINT');
    const r = await done;
    assert.is(r.code, 1, show(r));
    assert.match(r.stderr, 'SIGINT: starting nothing new; waiting for the changes in progress to finish', show(r));
    assert.match(r.stderr, /apply incomplete: (?:\d+ created in LXD|nothing changed in LXD), 0 failed, \d+ not started \(interrupted\)/, show(r));
    const state = await parsedState(m.dir);
    const created = (await project.client.listInstances()).map((i) => i.name);
    assert.ok(created.length >= 1 && created.length < names.length, `some but not all were created: ${created.join(' ')}`);
    await assertNoOrphans(project.client, state, 'SIGINT');
    // The lock was released: the next run goes ahead at once and finishes the job.
    const again = await run('lxapply', ['--project', project.name, '--auto-approve', m.dir]);
    assert.is(again.code, 0, show(again));
    assert.is((await project.client.listInstances()).length, names.length);
  } finally {
    await project.cleanup();
    await m.cleanup();
  }
});

it.run();
