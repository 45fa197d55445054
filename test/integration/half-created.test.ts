/**
 * A create that the daemon rejects half-way (the instance is made, then fails to start) leaves
 * nothing untracked: the instance is in the state, the next plan shows what is left to do
 * (never "already exists"), and once the manifest is fixed one apply converges.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { State } from '../../src/state/model.js';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES } from './harness.js';

const it = suite('a create rejected half-way');

it('the instance the daemon made is tracked, planned, and converged after the fix', async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const yaml = (devices: string) =>
    `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n  good:\n    image: busybox\n  halfbad:\n    image: busybox\n${devices}`;
  // Both daemons accept a macvlan NIC on a host interface that does not exist at create time, and
  // fail the start at the device, before the container's process is made ("Failed to start device
  // "eth9": Parent device 'lxpnone0' doesn't exist": LXD 5.0.2 and Incus 6.0.4). A raw.lxc
  // `lxc.init.cmd = /nonexistent-init` fails the start later, in forkstart, and Incus then shows the
  // instance Running for a moment while it tears it down: Stopped is what both settle on.
  const m = await manifestDir({ 'lxplan.yaml': yaml('    devices:\n      eth9: {type: nic, nictype: macvlan, parent: lxpnone0}\n') });
  const args = (...more: string[]) => ['--project', project.name, ...more, m.dir];
  try {
    const a = await run('lxapply', args('--auto-approve'));
    assert.is(a.code, 1, show(a));
    assert.match(a.stderr, /instance halfbad: .*Parent device 'lxpnone0' doesn't exist/, show(a));
    const state = JSON.parse(await readFile(path.join(m.dir, 'lxplan.state.json'), 'utf8')) as State;
    assert.ok(state.resources['instance.halfbad'], 'the half-made instance is in the state');
    assert.ok(state.resources['instance.good'], 'the other instance was made too');
    const halfbad = (await project.client.getInstance('halfbad')).value;
    assert.is(halfbad.status, 'Stopped');
    const p = await run('lxplan', args());
    assert.is(p.code, 0, show(p));
    assert.match(p.stdout, '  ~ instance halfbad (live)\n      ~ state: stopped -> running (live)\n', show(p));
    assert.not.match(p.stdout + p.stderr, 'already exists');
    await m.write({ 'lxplan.yaml': yaml('') });
    const fixed = await run('lxapply', args('--auto-approve'));
    assert.is(fixed.code, 0, show(fixed));
    assert.is((await project.client.getInstance('halfbad')).value.status, 'Running');
    assert.is((await run('lxplan', args())).stdout, NO_CHANGES);
  } finally {
    await project.cleanup();
    await m.cleanup();
  }
});

it.run();
