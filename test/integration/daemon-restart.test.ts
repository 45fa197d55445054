/**
 * The LXD daemon dies and comes back during an apply (kill -9 of the real daemon, then started
 * again the way scripts/lxd-up.sh does): lxapply waits for it, re-reads what it was changing,
 * finishes, and says so. Running containers survive a daemon restart; lost operations are redone.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finish, manifestDir, root, run, show, start } from './cli.js';
import { testImage, throwawayProject } from './harness.js';
import { assertNoOrphans, parsedState } from './proof.js';

const it = suite('LXD restarts during an apply');

it('lxapply waits for the daemon, reconciles the change it lost, and finishes', async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const names = Array.from({ length: 6 }, (_, i) => `r${i}`);
  const m = await manifestDir({ 'lxplan.yaml': `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n${names.map((n) => `  ${n}:\n    image: busybox\n`).join('')}` });
  try {
    const server = await project.client.request<{ environment: { server_pid?: number } }>('GET', '/1.0');
    const daemonPid = server.value.environment.server_pid;
    assert.ok(daemonPid, 'LXD reports its pid');
    const child = start('lxapply', ['--project', project.name, '--auto-approve', '--parallelism', '1', m.dir]);
    const done = finish(child);
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('instance r0: created')) resolve(); }));
    process.kill(daemonPid!, 'SIGKILL');
    const up = spawnSync('bash', [path.join(root, 'scripts/lxd-up.sh')], { encoding: 'utf8' });
    assert.is(up.status, 0, up.stderr);
    const r = await done;
    assert.is(r.code, 0, show(r));
    assert.match(r.stdout, 'lost contact with LXD during the change', show(r));
    assert.match(r.stdout, /LXD answered again after [\d.]+s; re-read the instance and/, show(r));
    const plan = await run('lxplan', ['--project', project.name, m.dir]);
    assert.is(plan.stdout, 'No changes. LXD matches the manifests.\n', show(plan));
    assert.equal((await project.client.listInstances()).map((i) => i.name).sort(), names);
    await assertNoOrphans(project.client, await parsedState(m.dir), 'daemon restart');
  } finally {
    await project.cleanup();
    await m.cleanup();
  }
});

it.run();
