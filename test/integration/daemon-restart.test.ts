/**
 * The LXD daemon dies and comes back during an apply: lxapply waits for it, re-reads what it was
 * changing, finishes, and says so. Running containers survive a daemon restart; lost operations are
 * redone. The daemon killed here is a throwaway one this suite starts (throwaway-daemon.ts: its own
 * LXD_DIR, socket and storage), never the machine's: lxplan is pointed at it with --socket and
 * LXD_SOCKET, and the machine's daemon is checked to be the same process, untouched, afterwards.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { finish, manifestDir, run, show, start } from './cli.js';
import { testImage } from './harness.js';
import { assertNoOrphans, parsedState } from './proof.js';
import { throwawayDaemon, type ThrowawayDaemon } from './throwaway-daemon.js';

const it = suite('LXD restarts during an apply');

/** The pid of the machine's own daemon (the default socket), when one answers. */
async function machineDaemonPid(): Promise<number | undefined> {
  const machine = new LxdClient();
  try {
    return (await machine.request<{ environment: { server_pid?: number } }>('GET', '/1.0')).value.environment.server_pid;
  } catch {
    return undefined;
  } finally {
    machine.close();
  }
}

it('lxapply waits for the daemon, reconciles the change it lost, and finishes', async () => {
  const machineBefore = await machineDaemonPid();
  let daemon: ThrowawayDaemon | undefined;
  const image = await testImage();
  const names = Array.from({ length: 6 }, (_, i) => `r${i}`);
  const m = await manifestDir({
    'lxplan.yaml': `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n${names.map((n) => `  ${n}:\n    image: busybox\n`).join('')}`,
  });
  try {
    daemon = await throwawayDaemon();
    const killed = daemon.pid;
    assert.ok(killed > 0);
    assert.is.not(killed, machineBefore, "the daemon to kill is not the machine's");
    const child = start('lxapply', [...daemon.args, '--auto-approve', '--parallelism', '1', m.dir], daemon.env);
    const done = finish(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('instance r0: created')) resolve();
      }),
    );
    await daemon.kill('SIGKILL');
    await daemon.start();
    assert.is.not(daemon.pid, killed, 'a new daemon process');
    const r = await done;
    assert.is(r.code, 0, show(r));
    assert.match(r.stdout, 'lost contact with LXD during the change', show(r));
    assert.match(r.stdout, /LXD answered again after [\d.]+s; re-read the instance and/, show(r));
    const plan = await run('lxplan', [...daemon.args, m.dir], daemon.env);
    assert.is(plan.stdout, 'No changes. LXD matches the manifests.\n', show(plan));
    assert.equal((await daemon.client.listInstances()).map((i) => i.name).sort(), names);
    await assertNoOrphans(daemon.client, await parsedState(m.dir), 'daemon restart');
    // The machine's daemon was neither the one killed nor restarted.
    assert.is(await machineDaemonPid(), machineBefore, "the machine's daemon is the same process as before");
  } finally {
    await daemon?.destroy();
    await m.cleanup();
  }
});

it.run();
