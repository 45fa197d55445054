/**
 * cloud-init data on an existing instance: a multi-line block shown as a text diff, stored now and
 * run by cloud-init (if the image has it) at the next boot only, which the note says, and never a
 * promise of a live change.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOUD_INIT_NOTE } from '../../src/resources/instance/keys.js';
import { dImage, dInstance, FP_A, lImage, lInstance, live, manifest, render, state } from './builders.js';

const BEFORE = '#cloud-config\npackages:\n  - nginx\n';
const AFTER = '#cloud-config\npackages:\n  - nginx\n  - curl\n';

function input(key: string, status: 'Running' | 'Stopped') {
  return {
    manifest: manifest({
      images: [dImage('busybox')],
      instances: [dInstance('web-1', { state: status === 'Running' ? 'running' : 'stopped', config: { [key]: AFTER } })],
    }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', { status, config: { [key]: BEFORE } })] }),
    state: state('image.busybox', 'instance.web-1'),
  };
}

test('a running instance: a text diff, restart impact, and the note that nothing runs it before the next boot', () => {
  assert.is(
    render(input('cloud-init.user-data', 'Running')),
    `lxplan will make these changes:

  ~ instance web-1 (restart: cloud-init.user-data)
      ~ config.cloud-init.user-data: (restart; ${CLOUD_INIT_NOTE})
           #cloud-config
           packages:
             - nginx
          +  - curl
      restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  assert.match(CLOUD_INIT_NOTE, 'nothing runs it now');
});

test('the legacy user.* names, and vendor-data and network-config, carry the same note; a stopped instance too', () => {
  for (const key of ['user.user-data', 'user.vendor-data', 'user.network-config', 'cloud-init.vendor-data', 'cloud-init.network-config']) {
    assert.match(render(input(key, 'Running')), `~ config.${key}: (restart; ${CLOUD_INIT_NOTE})`);
  }
  assert.match(render(input('user.user-data', 'Stopped')), `~ config.user.user-data: (live; ${CLOUD_INIT_NOTE})`);
  // Other user.* keys are plain data, live.
  assert.match(render(input('user.notes', 'Running')), '~ config.user.notes: (live)\n');
});

test.run();
