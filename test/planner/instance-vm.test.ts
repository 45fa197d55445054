/**
 * Virtual machines in the planner: planned like containers, with what differs on a running VM:
 * devices and limits wait for a restart (no live promise lxplan cannot check here), and the image
 * must be a virtual-machine image.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { DesiredInstance } from '../../src/resources/types.js';
import { dImage, dInstance, FP_A, lImage, lInstance, live, manifest, planError, render, state } from './builders.js';

const vm = (extra: Partial<DesiredInstance> = {}) => dInstance('vm-1', { type: 'virtual-machine', image: 'vm-image', ...extra });
const running = (extra: Parameters<typeof lInstance>[1] = {}) => lInstance('vm-1', { type: 'virtual-machine', ...extra });
const existing = (d: DesiredInstance, l = running()): PlanInput => ({
  manifest: manifest({ images: [dImage('vm-image')], instances: [d] }),
  live: live({ images: [lImage(FP_A, ['vm-image'], { type: 'virtual-machine' })], instances: [l] }),
  state: state('image.vm-image', 'instance.vm-1'),
});
const fieldsOf = (i: PlanInput) =>
  plan(i)
    .changes.find((c) => c.address === 'instance.vm-1')!
    .fields.map((f) => [f.path, f.impact, f.note]);

test('a virtual machine is created like a container, type virtual-machine', () => {
  const out = render({
    manifest: manifest({ images: [dImage('vm-image')], instances: [vm({ config: { 'limits.memory': '2GiB', 'limits.memory.hugepages': 'true' } })] }),
    live: live(),
    state: state(),
  });
  assert.match(out, /\+ instance vm-1\n +\+ image: +vm-image\n +\+ type: +virtual-machine\n/);
  assert.match(out, '+ config.limits.memory.hugepages: true\n');
});

test('a running VM: devices and limits wait for a restart; user.* keys are live', () => {
  const i = existing(vm({ config: { 'limits.memory': '2GiB', 'user.role': 'db' }, devices: { data: { type: 'disk', source: '/srv/data', path: '/data' } } }));
  assert.equal(fieldsOf(i), [
    ['config.limits.memory', 'restart', 'virtual machine: a running VM may not take this limit live (not checked on a VM by lxplan)'],
    ['config.user.role', 'live', undefined],
    ['devices.data.path', 'restart', undefined],
    ['devices.data.source', 'restart', undefined],
    ['devices.data.type', 'restart', undefined],
  ]);
  // Stopped, everything is in force at the next start: live.
  assert.equal(fieldsOf(existing(vm({ state: 'stopped', config: { 'limits.memory': '2GiB' } }), running({ status: 'Stopped' }))), [
    ['config.limits.memory', 'live', undefined],
  ]);
});

test('a VM from a container image (or a container from a VM image) is an error when LXD has the image', () => {
  const i = existing(vm());
  i.live.images[0].type = 'container';
  assert.is(planError(i).message, 'instance "vm-1" is a virtual-machine, but image "vm-image" is a container image');
  const c = existing(dInstance('vm-1', { image: 'vm-image' }), lInstance('vm-1'));
  assert.is(planError(c).message, 'instance "vm-1" is a container, but image "vm-image" is a virtual-machine image');
});

test.run();
