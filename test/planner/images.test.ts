/** Image settings (aliases, properties, public, auto_update) and directory sources, planned from fixtures. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan } from '../../src/planner/index.js';
import { extraAliasDescription } from '../../src/resources/image.js';
import { dImage, dInstance, FP_A, FP_B, lImage, lInstance, live, manifest, render, state } from './builders.js';

const marked = (name: string, extras: string[]) => extras.map((a) => ({ name: a, description: extraAliasDescription(name) }));

test('a create lists the extra aliases, properties and auto_update it sets', () => {
  const d = dImage('app', FP_A, { aliases: ['app-latest', 'app-1'], properties: { os: 'busybox' }, autoUpdate: false, public: true });
  assert.is(render({ manifest: manifest({ images: [d] }), live: live(), state: state() }), `lxplan will make these changes:

  + image app
      + fingerprint:   aaaaaaaaaaaa
      + public:        true
      + aliases:       [app-1, app-latest]
      + auto_update:   false
      + properties.os: busybox

Plan: 1 to add, 0 to change, 0 to destroy.
`);
});

test('settings changes are live updates; the same settings are no change', () => {
  const d = dImage('app', FP_A, { aliases: ['app-2'], properties: { os: 'busybox', release: '2' }, autoUpdate: true });
  const l = lImage(FP_A, ['app'], { properties: { os: 'busybox', release: '1', description: 'x' }, auto_update: false });
  l.aliases.push(...marked('app', ['app-1']));
  const input = { manifest: manifest({ images: [d] }), live: live({ images: [l] }), state: state('image.app') };
  assert.is(render(input), `lxplan will make these changes:

  ~ image app (live)
      ~ aliases:                [app-1] -> [app-2] (live)
      ~ auto_update:            false -> true (live)
      - properties.description: x (live)
      ~ properties.release:     1 -> 2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`);
  const same = lImage(FP_A, ['app'], { properties: { os: 'busybox', release: '2' }, auto_update: true });
  same.aliases.push(...marked('app', ['app-2']));
  assert.is(render({ ...input, live: live({ images: [same] }) }), 'No changes. LXD matches the manifests.\n');
});

test('properties and auto_update left out of the manifest are not managed; aliases lxplan did not make are not its own', () => {
  const l = lImage(FP_A, ['app', 'by-hand'], { properties: { os: 'anything' }, auto_update: true });
  assert.is(render({ manifest: manifest({ images: [dImage('app')] }), live: live({ images: [l] }), state: state('image.app') }), 'No changes. LXD matches the manifests.\n');
});

test('new content replaces the image; the settings changing with it are listed too', () => {
  const d = dImage('app', FP_B, { public: true });
  const p = plan({ manifest: manifest({ images: [d] }), live: live({ images: [lImage(FP_A, ['app'])] }), state: state('image.app') });
  const c = p.changes.find((x) => x.address === 'image.app');
  assert.is(c?.action, 'replace');
  assert.equal(c?.fields.map((f) => `${f.path}:${f.impact}`), ['fingerprint:replace', 'public:live']);
});

test('a directory image is planned by its fingerprint like a split one', () => {
  const d = dImage('app', FP_A, { source: { directory: '/m/rootfs', architecture: 'x86_64', creationDate: 1704067200, properties: {} } });
  assert.is(render({ manifest: manifest({ images: [d] }), live: live({ images: [lImage(FP_A, ['app'])] }), state: state('image.app') }), 'No changes. LXD matches the manifests.\n');
});

test('an image still used by an instance in the manifests cannot be removed from them', () => {
  const inst = dInstance('web-1', { image: 'app' });
  const l = live({ images: [lImage(FP_A, ['app'])], instances: [lInstance('web-1', { config: { 'volatile.base_image': FP_A } })] });
  try {
    plan({ manifest: manifest({ instances: [inst] }), live: l, state: state('image.app', 'instance.web-1') });
    assert.unreachable('the plan should be refused');
  } catch (e) {
    assert.match((e as Error).message, 'instance "web-1" uses image "app"');
  }
});

test.run();
