/**
 * A create that LXD rejects half-way (the instance is made, then fails to start) leaves
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

it('the instance LXD made is tracked, planned, and converged after the fix', async () => {
  const project = await throwawayProject();
  const image = await testImage();
  const yaml = (rawLxc: string) =>
    `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\ninstances:\n  good:\n    image: busybox\n  halfbad:\n    image: busybox\n${rawLxc}`;
  // LXD accepts this raw.lxc at create time; the start fails (there is no such init).
  const m = await manifestDir({ 'lxplan.yaml': yaml('    config: {raw.lxc: "lxc.init.cmd = /nonexistent-init"}\n') });
  const args = (...more: string[]) => ['--project', project.name, ...more, m.dir];
  try {
    const a = await run('lxapply', args('--auto-approve'));
    assert.is(a.code, 1, show(a));
    assert.match(a.stderr, /instance halfbad: .*forkstart/, show(a));
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
