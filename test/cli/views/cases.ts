/**
 * The plans every view test renders, one per case, so the human, markdown and JSON goldens are
 * made from the very same values. Planner-made where the planner produces the case today; by hand
 * (./plans.ts) for what it does not produce yet.
 */
import type { Plan } from '../../../src/planner/plan.js';
import { plan } from '../../../src/planner/index.js';
import { dImage, dInstance, dProfile, FP_A, FP_B, lImage, lInstance, live, lProfile, manifest, state } from '../../planner/builders.js';
import { change, field, planOf } from './plans.js';

const small = () => dProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } });
const liveSmall = () => lProfile('small', { config: { 'limits.cpu': '1', 'limits.memory': '256MB' } });

/** An image, a profile and an instance on an empty LXD. */
export function createAll(): Plan {
  const web1 = dInstance('web-1', { profiles: ['default', 'small'], config: { 'limits.memory': '512MB' } });
  return plan({ manifest: manifest({ images: [dImage('busybox')], profiles: [small()], instances: [web1] }), live: live(), state: state() });
}

/** A memory limit raised on a running instance. */
export function updateLive(): Plan {
  return plan({
    manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.memory': '1GiB' } })] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1', { config: { 'limits.memory': '512MB' } })] }),
    state: state('instance.web-1'),
  });
}

/** A new image for an instance. */
export function replaceImage(): Plan {
  return plan({
    manifest: manifest({ images: [dImage('busybox'), dImage('alpine', FP_B)], instances: [dInstance('web-1', { image: 'alpine' })] }),
    live: live({ images: [lImage(FP_A, ['busybox']), lImage(FP_B, ['alpine'])], instances: [lInstance('web-1')] }),
    state: state('image.busybox', 'image.alpine', 'instance.web-1'),
  });
}

/** An instance removed from the manifests. */
export function deleteOne(): Plan {
  return plan({
    manifest: manifest({ instances: [dInstance('web-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])], instances: [lInstance('web-1'), lInstance('web-3')] }),
    state: state('instance.web-1', 'instance.web-3'),
  });
}

/** LXD as the manifests say. */
export function noChanges(): Plan {
  return plan({
    manifest: manifest({ profiles: [small()] }),
    live: live({ profiles: [liveSmall()] }),
    state: state('profile.small'),
  });
}

/** The default profile dropped from the manifests: only the state changes. */
export function stateOnly(): Plan {
  return plan({ manifest: manifest(), live: live(), state: state('profile.default') });
}

/** A restart field on a running instance, restarted by this apply or left for later. */
export function restart(when: 'now' | 'pending'): Plan {
  return planOf([change('instance', 'db-1', 'update', { restart: when, fields: [field('config.security.privileged', undefined, 'true', 'restart')] })]);
}

/** Memory changed by hand, reverted by the plan. */
export function drift(): Plan {
  return planOf([
    change('instance', 'web-1', 'update', {
      drift: [field('config.limits.memory', '1GiB', '2GiB')],
      fields: [field('config.limits.memory', '2GiB', '1GiB')],
    }),
  ]);
}

/** The same drift in a refresh-only plan: nothing to change. */
export function driftOnly(): Plan {
  return planOf([change('instance', 'web-1', 'noop', { drift: [field('config.limits.memory', '1GiB', '2GiB')] })]);
}

/** A profile change and every instance using it. */
export function blastRadius(): Plan {
  const memory = field('config.limits.memory', '256MB', '512MB');
  return planOf([
    change('profile', 'small', 'update', {
      fields: [memory, field('config.security.privileged', undefined, 'true')],
      usedBy: [
        { name: 'web-1', managed: true, impact: 'restart', fields: [memory, field('config.security.privileged', undefined, 'true', 'restart')] },
        { name: 'handmade', managed: false, impact: 'restart', fields: [field('config.security.privileged', undefined, 'true', 'restart')] },
        { name: 'web-2', managed: true, fields: [] },
      ],
    }),
  ]);
}

/** An instance renamed in the manifest, its memory changed on the way. */
export function renamed(): Plan {
  return planOf([change('instance', 'web-new', 'update', { renamedFrom: 'web-old', fields: [field('config.limits.memory', '512MB', '1GiB')] })]);
}

export const USER_DATA_BEFORE = '#cloud-config\npackages:\n  - nginx\n\nruncmd:\n  - echo hi\n';
export const USER_DATA_AFTER = '#cloud-config\npackages:\n  - nginx\n  - curl\n\nruncmd:\n  - echo hi\n';
const RAW_LXC = Array.from({ length: 12 }, (_, i) => `lxc.line${i + 1} = ${i + 1}`).join('\n');

/** Multi-line values: a created one, a changed one (whole), a long one (hunks), one that gains a final newline. */
export function multiLine(): Plan {
  return planOf([
    change('instance', 'web-1', 'create', {
      fields: [field('image', undefined, 'busybox'), field('config.cloud-init.user-data', undefined, USER_DATA_BEFORE, 'restart')],
    }),
    change('instance', 'web-2', 'update', {
      restart: 'pending',
      fields: [
        field('config.cloud-init.user-data', USER_DATA_BEFORE, USER_DATA_AFTER, 'restart', { note: 'cloud-init reads it at first boot only' }),
        field('config.limits.memory', '512MB', '1GiB'),
        field('config.raw.lxc', RAW_LXC, RAW_LXC.replace('= 2', '= two').replace('= 11', '= eleven'), 'restart'),
        field('config.user.motd', 'hello\nworld', 'hello\nworld\n'),
      ],
    }),
  ]);
}

/** Secrets in every place a value can be: never shown by any view. */
export const SECRETS = ['s3cr3t-old', 's3cr3t-new', 's3cr3t-api', 's3cr3t-drifted', 's3cr3t-token', 'password: s3cr3t-cloud'];

export function sensitive(): Plan {
  return planOf([
    change('instance', 'web-1', 'update', {
      fields: [
        field('config.environment.DB_PASSWORD', 's3cr3t-drifted', 's3cr3t-new', 'live', { sensitive: true }),
        field('config.cloud-init.user-data', '#cloud-config\n', '#cloud-config\npassword: s3cr3t-cloud\n', 'restart', { sensitive: true }),
        field('config.limits.memory', '512MB', '1GiB'),
      ],
      drift: [field('config.environment.DB_PASSWORD', 's3cr3t-old', 's3cr3t-drifted', 'live', { sensitive: true })],
      desired: dInstance('web-1', {
        config: {
          'environment.DB_PASSWORD': 's3cr3t-new',
          'environment.API_KEY': 's3cr3t-api',
          'cloud-init.user-data': '#cloud-config\npassword: s3cr3t-cloud\n',
          'limits.memory': '1GiB',
        },
        sensitive: ['environment.DB_PASSWORD', 'environment.API_KEY', 'cloud-init.user-data'],
      }),
    }),
    change('profile', 'app', 'update', {
      fields: [field('config.environment.TOKEN', undefined, 's3cr3t-token', 'live', { sensitive: true })],
      // The instance's own field is not marked: the profile's key is enough to redact it.
      usedBy: [{ name: 'web-1', managed: true, impact: 'live', fields: [field('config.environment.TOKEN', undefined, 's3cr3t-token')] }],
      desired: dProfile('app', { config: { 'environment.TOKEN': 's3cr3t-token' } }),
    }),
  ]);
}

/** The run after an apply that left a restart pending: nothing to change, the restart still owed. */
export function restartOwed(): Plan {
  return planOf([
    change('instance', 'db-1', 'noop', {
      restart: 'pending',
      reason: 'restart pending since an earlier apply: security.privileged (lxapply --allow-restart restarts it)',
      stateAttributes: { pending_restart: 'security.privileged' },
    }),
  ]);
}
