/** The planner from fixtures: whole rendered plans, so a change of wording or order shows. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { plan } from '../../src/planner/index.js';
import { dImage, dInstance, dProfile, FP_A, FP_B, lImage, lInstance, live, lProfile, manifest, state } from './builders.js';
import { planError, render } from './builders.js';

const small = () => dProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } });
const web1 = (extra = {}) =>
  dInstance('web-1', { profiles: ['default', 'small'], config: { 'limits.memory': '512MB', 'environment.APP_ENV': 'production' }, ...extra });
const liveWeb1 = (extra: Parameters<typeof lInstance>[1] = {}) =>
  lInstance('web-1', { profiles: ['default', 'small'], ...extra, config: { 'limits.memory': '512MB', 'environment.APP_ENV': 'production', ...extra.config } });

test('creates everything on an empty LXD, dependencies first', () => {
  const input = { manifest: manifest({ images: [dImage('busybox')], profiles: [small()], instances: [web1()] }), live: live(), state: state() };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + image busybox
      + fingerprint: aaaaaaaaaaaa
      + public:      false
  + profile small
      + config.limits.cpu:    1
      + config.limits.memory: 256MB
  + instance web-1
      + image:                      busybox
      + type:                       container
      + profiles:                   [default, small]
      + state:                      running
      + config.environment.APP_ENV: production
      + config.limits.memory:       512MB

Plan: 3 to add, 0 to change, 0 to destroy.
`,
  );
  const p = plan(input);
  assert.equal(p.changes.find((c) => c.name === 'web-1')?.dependsOn, ['image.busybox', 'profile.small']);
});

test('no changes when LXD matches, whatever keys LXD added and however values are spelled', () => {
  const input = {
    manifest: manifest({
      images: [dImage('busybox')],
      profiles: [small()],
      instances: [web1({ config: { 'limits.memory': '512MB', 'environment.APP_ENV': 'production', 'boot.autostart': 'true' } })],
    }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      profiles: [lProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256000000' } })],
      instances: [liveWeb1({ config: { 'boot.autostart': 'true', 'volatile.eth0.hwaddr': '00:16:3e:00:00:01' } })],
    }),
    state: state('image.busybox', 'profile.small', 'instance.web-1'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
  assert.equal(plan(input).summary, { add: 0, change: 0, destroy: 0 });
});

test('a memory limit change on a running instance is one live field', () => {
  const input = {
    manifest: manifest({ profiles: [small()], instances: [web1({ config: { 'limits.memory': '1GB', 'environment.APP_ENV': 'production' } })] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      profiles: [lProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } })],
      instances: [liveWeb1()],
    }),
    state: state('profile.small', 'instance.web-1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      ~ config.limits.memory: 512MB -> 1GB (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('a key that needs a restart says so while running, and is live on a stopped instance', () => {
  const desired = manifest({
    profiles: [small()],
    instances: [web1({ config: { 'limits.memory': '512MB', 'environment.APP_ENV': 'production', 'security.privileged': 'true' } })],
  });
  const profiles = [lProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } })];
  const running = render({
    manifest: desired,
    live: live({ images: [lImage(FP_A, ['busybox'])], profiles, instances: [liveWeb1()] }),
    state: state('profile.small', 'instance.web-1'),
  });
  assert.ok(running.includes('  ~ instance web-1 (restart: security.privileged)\n      + config.security.privileged: true (restart)\n'), running);
  const stopped = render({
    manifest: desired,
    live: live({ images: [lImage(FP_A, ['busybox'])], profiles, instances: [liveWeb1({ status: 'Stopped' })] }),
    state: state('profile.small', 'instance.web-1'),
  });
  assert.ok(
    stopped.includes(
      '  ~ instance web-1 (live)\n      ~ state:                      stopped -> running (live)\n      + config.security.privileged: true (live)\n',
    ),
    stopped,
  );
});

test('changing the image replaces the instance and says why', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox'), dImage('alpine', FP_B)], profiles: [small()], instances: [web1({ image: 'alpine' })] }),
    live: live({
      images: [lImage(FP_A, ['busybox']), lImage(FP_B, ['alpine'])],
      profiles: [lProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } })],
      instances: [liveWeb1()],
    }),
    state: state('image.busybox', 'image.alpine', 'profile.small', 'instance.web-1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  -/+ instance web-1 (replace: image busybox -> alpine)
      ~ image: busybox -> alpine (replace)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
});

test('new image content under the same alias replaces the image, not the instances made from it', () => {
  const input = {
    manifest: manifest({ images: [dImage('busybox', FP_B)], instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1')] }),
    state: state('image.busybox', 'instance.web-1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  -/+ image busybox (replace: fingerprint aaaaaaaaaaaa -> bbbbbbbbbbbb)
      ~ fingerprint: aaaaaaaaaaaa -> bbbbbbbbbbbb (replace; a new image: the alias moves to it; instances made from the old one keep running)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  );
});

test('an instance removed from the manifests is deleted; unmanaged instances are never touched', () => {
  const input = {
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1'), lInstance('web-2'), lInstance('handmade')] }),
    state: state('instance.web-1', 'instance.web-2'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - instance web-2

Plan: 0 to add, 0 to change, 1 to destroy.
`,
  );
});

test('config keys the manifests do not mention are removed, server keys are kept', () => {
  const input = {
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', { config: { 'user.note': 'set by hand' } })] }),
    state: state('instance.web-1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ instance web-1 (live)
      - config.user.note: set by hand (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('an object that exists in LXD but not in state is a conflict, located in the manifest', () => {
  const e = planError({
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1')] }),
    state: state(),
  });
  assert.is(e.code, 'plan.conflict');
  assert.is(e.message, 'instance "web-1" already exists in LXD and is not managed by lxplan; it will not be overwritten');
  assert.equal(e.location, { file: 'lxplan.yaml', line: 12, col: 3 });
});

test('the default profile is adopted when declared and only forgotten when removed', () => {
  const adopt = plan({ manifest: manifest({ profiles: [dProfile('default', { config: { 'limits.cpu': '2' } })] }), live: live(), state: state() });
  const c = adopt.changes[0];
  assert.is(c.action, 'update');
  assert.is(c.stateOp, 'add');
  assert.is(
    renderPlan(adopt),
    `lxplan will make these changes:

  ~ profile default (live)  # built-in profile: lxplan starts managing it
      + config.limits.cpu: 2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const forget = plan({ manifest: manifest(), live: live(), state: state('profile.default') });
  assert.is(forget.changes[0].action, 'noop');
  assert.is(forget.changes[0].stateOp, 'remove');
  assert.ok(renderPlan(forget).endsWith('No changes. LXD matches the manifests.\n'));
});

test('a profile or image that exists nowhere is a located reference error', () => {
  const e = planError({
    manifest: manifest({
      instances: [dInstance('web-1', { profiles: ['default', 'smal'], keyAt: { 'profiles.1': { file: 'lxplan.yaml', line: 14, col: 25 } } })],
    }),
    live: live({ images: [lImage(FP_A, ['busybox'])], profiles: [lProfile('small')] }),
    state: state(),
  });
  assert.is(e.code, 'manifest.reference');
  assert.ok(/smal/.test(e.message), e.message);
  assert.equal(e.location?.line, 14);
});

test('a profile to delete waits for the instances leaving it, and is refused while an unmanaged instance uses it', () => {
  const p = plan({
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], profiles: [lProfile('small')], instances: [lInstance('web-1', { profiles: ['default', 'small'] })] }),
    state: state('profile.small', 'instance.web-1'),
  });
  assert.equal(p.changes.find((c) => c.address === 'profile.small')?.dependsOn, ['instance.web-1']);
  const e = planError({
    manifest: manifest(),
    live: live({ profiles: [lProfile('small')], instances: [lInstance('handmade', { profiles: ['default', 'small'] })] }),
    state: state('profile.small'),
  });
  assert.is(e.message, 'profile "small" cannot be deleted: instance "handmade" uses it and is not managed by lxplan');
});

test('an instance deleted outside lxplan is created again, and says so', () => {
  const out = render({
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])] }),
    state: state('instance.web-1'),
  });
  assert.ok(out.startsWith('lxplan will make these changes:\n\n  + instance web-1  # was deleted outside lxplan\n'), out);
});

test('cpu sets and sizes that mean the same are no change', () => {
  const input = {
    manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.cpu': '0-2', 'limits.memory': '1GiB' } })] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', { config: { 'limits.cpu': '0,1,2', 'limits.memory': '1073741824' } })] }),
    state: state('instance.web-1'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test.run();
