/**
 * Secrets: no view ever prints one, whatever place of the plan it sits in (field, drift, blast
 * radius, multi-line value, desired object), coloured or not, and the saved-plan document holds none.
 */
import { Chalk } from 'chalk';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../../src/cli/views/plan-human.js';
import { fromPlanDocument, toPlanDocument } from '../../../src/workflow/plan-file.js';
import { renderPlanMarkdown } from '../../../src/cli/views/plan-markdown.js';
import { plan } from '../../../src/planner/index.js';
import type { Plan } from '../../../src/planner/plan.js';
import { dInstance, dNetwork, dProfile, dVolume, FP_A, lImage, lInstance, live, lNetwork, lProfile, lVolume, manifest, state } from '../../planner/builders.js';
import { SECRETS, sensitive } from './cases.js';

function everyView(p: Plan): Record<string, string> {
  const doc = toPlanDocument(p, { lxplanVersion: '0.1.0' });
  return {
    human: renderPlan(p),
    colour: renderPlan(p, new Chalk({ level: 3 })),
    markdown: renderPlanMarkdown(p),
    json: JSON.stringify(doc),
    'json read back': JSON.stringify(fromPlanDocument(JSON.parse(JSON.stringify(doc)), 'plan.json')),
  };
}

/** No view shows any of `secrets`; those that show a secret field say "(sensitive)" instead. */
function assertNoSecret(p: Plan, secrets: string[], shown = true): void {
  for (const [view, out] of Object.entries(everyView(p))) {
    for (const s of secrets) assert.not.ok(out.includes(s), `${view} shows ${s}:\n${out}`);
    if (shown) assert.ok(out.includes('(sensitive)'), `${view} does not say (sensitive)`);
  }
}

test('no secret in any view of a hand-made plan with secrets everywhere', () => {
  assertNoSecret(sensitive(), SECRETS);
});

test('no secret in any view of planner-made plans: create, update, blast radius', () => {
  const secretInstance = (value: string) =>
    dInstance('web-1', {
      profiles: ['default', 'app'],
      config: { 'environment.DB_PASSWORD': value, 'limits.memory': '1GiB' },
      sensitive: ['environment.DB_PASSWORD'],
    });
  const app = (token: string) => dProfile('app', { config: { 'environment.TOKEN': token }, sensitive: ['environment.TOKEN'] });
  const created = plan({
    manifest: manifest({ profiles: [app('tok-s3cr3t-1')], instances: [secretInstance('pw-s3cr3t-1')] }),
    live: live({ images: [lImage(FP_A, ['busybox'])] }),
    state: state(),
  });
  assertNoSecret(created, ['tok-s3cr3t-1', 'pw-s3cr3t-1']);
  const updated = plan({
    manifest: manifest({ profiles: [app('tok-s3cr3t-2')], instances: [secretInstance('pw-s3cr3t-2')] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      profiles: [lProfile('app', { config: { 'environment.TOKEN': 'tok-s3cr3t-1' }, used_by: ['/1.0/instances/web-1'] })],
      instances: [
        lInstance('web-1', {
          profiles: ['default', 'app'],
          config: { 'environment.DB_PASSWORD': 'pw-s3cr3t-1', 'limits.memory': '512MB' },
          expanded_config: { 'environment.TOKEN': 'tok-s3cr3t-1', 'environment.DB_PASSWORD': 'pw-s3cr3t-1', 'limits.memory': '512MB' },
        }),
      ],
    }),
    state: state('profile.app', 'instance.web-1'),
  });
  assertNoSecret(updated, ['tok-s3cr3t-1', 'tok-s3cr3t-2', 'pw-s3cr3t-1', 'pw-s3cr3t-2']);
});

test('a secret that does not change is kept out of the desired object too', () => {
  const p = plan({
    manifest: manifest({
      instances: [dInstance('web-1', { config: { 'environment.API_KEY': 'key-s3cr3t', 'limits.memory': '1GiB' }, sensitive: ['environment.API_KEY'] })],
    }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      instances: [lInstance('web-1', { config: { 'environment.API_KEY': 'key-s3cr3t', 'limits.memory': '512MB' } })],
    }),
    state: state('instance.web-1'),
  });
  const doc = toPlanDocument(p, { lxplanVersion: '0.1.0' });
  const desired = doc.changes[0].desired;
  assert.equal(desired?.kind !== 'image' ? desired?.config : undefined, { 'environment.API_KEY': '(sensitive)', 'limits.memory': '1GiB' });
  // The field that changes is not the secret: the human and markdown views have no reason to name it.
  assertNoSecret(p, ['key-s3cr3t'], false);
});

test('no secret in any view of a network, pool or volume with a sensitive config value', () => {
  const net = (v: string) => dNetwork('lxdbr1', { config: { 'ipv4.address': 'none', 'user.token': v }, sensitive: ['user.token'] });
  const vol = (v: string) => dVolume('default/data', { config: { 'user.key': v }, sensitive: ['user.key'] });
  const created = plan({ manifest: manifest({ networks: [net('net-s3cr3t-1')], storageVolumes: [vol('vol-s3cr3t-1')] }), live: live(), state: state() });
  assertNoSecret(created, ['net-s3cr3t-1', 'vol-s3cr3t-1']);
  const updated = plan({
    manifest: manifest({ networks: [net('net-s3cr3t-2')], storageVolumes: [vol('vol-s3cr3t-2')] }),
    live: live({
      networks: [lNetwork('lxdbr1', { config: { 'ipv4.address': 'none', 'user.token': 'net-s3cr3t-1' } })],
      storageVolumes: [lVolume('default/data', { config: { 'user.key': 'vol-s3cr3t-1' } })],
    }),
    state: state('network.lxdbr1', 'storage_volume.default/data'),
  });
  assert.is(updated.summary.change, 2);
  assertNoSecret(updated, ['net-s3cr3t-1', 'net-s3cr3t-2', 'vol-s3cr3t-1', 'vol-s3cr3t-2']);
});

test.run();
