/**
 * The throwaway daemon the tests that kill or reconfigure a daemon stand on (throwaway-daemon.ts):
 * it is not the machine's daemon, kill() and start() touch only it, destroy() leaves no process,
 * mount or folder behind, and the sweep tears down the daemon of a run that died.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { manifestDir, run, show } from './cli.js';
import { testImage } from './harness.js';
import { staleDaemonReason, sweepStaleDaemons, throwawayDaemon } from './throwaway-daemon.js';

type Owner = NonNullable<Parameters<typeof staleDaemonReason>[0]>;

const it = suite('a throwaway LXD daemon');

async function machine(): Promise<{ pid?: number; config: Record<string, string> }> {
  const c = new LxdClient();
  try {
    const s = (await c.request<{ config: Record<string, string>; environment: { server_pid?: number } }>('GET', '/1.0')).value;
    return { pid: s.environment.server_pid, config: s.config ?? {} };
  } finally {
    c.close();
  }
}

/** What is left of a daemon folder on this host: processes naming it, mounts under it, the folder. */
function traces(dir: string): { processes: string[]; mounts: string[]; folder: boolean } {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes(`${dir}/`));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(`${dir}/`));
  return { processes: ps, mounts, folder: existsSync(dir) };
}

it('starts fast on its own socket, is not the machine daemon, survives kill -9 + start with its container, and leaves nothing', async () => {
  const before = await machine();
  const image = await testImage();
  const d = await throwawayDaemon();
  try {
    console.log(`    throwaway daemon: answered after ${d.timings.startMs} ms, pool + profile in ${d.timings.initMs} ms`);
    assert.ok(d.dir.includes('lxplan-lxd-'));
    assert.is.not(d.pid, before.pid);
    const server = (await d.client.request<{ environment: { server_pid: number } }>('GET', '/1.0')).value;
    assert.is(server.environment.server_pid, d.pid);
    assert.is((await d.client.getProfile('default')).value.devices.root?.pool, 'default');
    // A running container, through the CLI pointed at the daemon.
    const m = await manifestDir({
      'lxplan.yaml': `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n  td-1:\n    image: busybox\n`,
    });
    try {
      const a = await run('lxapply', [...d.args, '--auto-approve', m.dir], d.env);
      assert.is(a.code, 0, show(a));
    } finally {
      await m.cleanup();
    }
    const initPid = (await d.client.getInstanceState('td-1')).pid;
    const old = d.pid;
    const tk = Date.now();
    await d.kill();
    const killMs = Date.now() - tk;
    await d.start();
    console.log(`    kill -9 + start again: ${killMs} ms + ${d.timings.startMs} ms`);
    assert.is.not(d.pid, old);
    const state = await d.client.getInstanceState('td-1');
    assert.is(state.status, 'Running');
    assert.is(state.pid, initPid, 'the container kept running through the restart');
    // The machine's daemon: same process, same config.
    const after = await machine();
    assert.is(after.pid, before.pid);
    assert.equal(after.config, before.config);
  } finally {
    await d.destroy();
  }
  console.log(`    destroy (container running): ${d.timings.stopMs} ms`);
  assert.equal(traces(d.dir), { processes: [], mounts: [], folder: false });
  await d.destroy(); // twice: fine
});

it('the sweep tears down the daemon of a dead run, and keeps a live one', async () => {
  const live = await throwawayDaemon();
  const dead = await throwawayDaemon();
  try {
    const deadPid = spawnSync('true').pid;
    await writeFile(
      path.join(dead.dir, 'owner.json'),
      JSON.stringify({
        host: (JSON.parse(readFileSync(path.join(live.dir, 'owner.json'), 'utf8')) as Owner).host,
        pid: deadPid,
        created: new Date().toISOString(),
      }),
    );
    assert.match(staleDaemonReason({ host: 'h', pid: 1, created: new Date(0).toISOString() }) ?? '', /older than an hour/);
    assert.is(staleDaemonReason(JSON.parse(readFileSync(path.join(live.dir, 'owner.json'), 'utf8')) as Owner), undefined);
    const swept = await sweepStaleDaemons();
    assert.ok(swept.includes(dead.dir), `swept ${swept.join(', ')}`);
    assert.not.ok(swept.includes(live.dir));
    assert.equal(traces(dead.dir), { processes: [], mounts: [], folder: false });
    assert.ok((await live.client.request('GET', '/1.0')).value, 'the live one still answers');
  } finally {
    await dead.destroy();
    await live.destroy();
  }
});

it.run();
