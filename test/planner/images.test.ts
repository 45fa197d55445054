/** Image settings (aliases, properties, public, auto_update) and directory sources, planned from fixtures. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plan } from '../../src/planner/index.js';
import { extraAliasDescription, imageSpec } from '../../src/resources/image/spec.js';
import { dImage, dInstance, dSnapshot, FP_A, FP_B, lImage, lInstance, live, manifest, render, state } from './builders.js';

const marked = (name: string, extras: string[]) => extras.map((a) => ({ name: a, description: extraAliasDescription(name) }));

test('a create lists the extra aliases, properties and auto_update it sets', () => {
  const d = dImage('app', FP_A, { aliases: ['app-latest', 'app-1'], properties: { os: 'busybox' }, autoUpdate: false, public: true });
  assert.is(
    render({ manifest: manifest({ images: [d] }), live: live(), state: state() }),
    `lxplan will make these changes:

  + image app
      + fingerprint:   aaaaaaaaaaaa
      + public:        true
      + aliases:       [app-1, app-latest]
      + auto_update:   false
      + properties.os: busybox

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  );
});

test('settings changes are live updates; the same settings are no change', () => {
  const d = dImage('app', FP_A, { aliases: ['app-2'], properties: { os: 'busybox', release: '2' }, autoUpdate: true });
  const l = lImage(FP_A, ['app'], { properties: { os: 'busybox', release: '1', description: 'x' }, auto_update: false });
  l.aliases.push(...marked('app', ['app-1']));
  const input = { manifest: manifest({ images: [d] }), live: live({ images: [l] }), state: state('image.app') };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ image app (live)
      ~ aliases:                [app-1] -> [app-2] (live)
      ~ auto_update:            false -> true (live; LXD refreshes only images copied from a remote server: this one has nothing to follow)
      - properties.description: x (live)
      ~ properties.release:     1 -> 2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const same = lImage(FP_A, ['app'], { properties: { os: 'busybox', release: '2' }, auto_update: true });
  same.aliases.push(...marked('app', ['app-2']));
  assert.is(render({ ...input, live: live({ images: [same] }) }), 'No changes. LXD matches the manifests.\n');
});

test('properties and auto_update left out of the manifest are not managed; aliases lxplan did not make are not its own', () => {
  const l = lImage(FP_A, ['app', 'by-hand'], { properties: { os: 'anything' }, auto_update: true });
  assert.is(
    render({ manifest: manifest({ images: [dImage('app')] }), live: live({ images: [l] }), state: state('image.app') }),
    'No changes. LXD matches the manifests.\n',
  );
});

test('new content replaces the image; the settings changing with it are listed too', () => {
  const d = dImage('app', FP_B, { public: true });
  const p = plan({ manifest: manifest({ images: [d] }), live: live({ images: [lImage(FP_A, ['app'])] }), state: state('image.app') });
  const c = p.changes.find((x) => x.address === 'image.app');
  assert.is(c?.action, 'replace');
  assert.equal(
    c?.fields.map((f) => `${f.path}:${f.impact}`),
    ['fingerprint:replace', 'public:live'],
  );
});

test('a directory image is planned by its fingerprint like a split one', () => {
  const d = dImage('app', FP_A, { source: { directory: '/m/rootfs', architecture: 'x86_64', creationDate: 1704067200, properties: {} } });
  assert.is(
    render({ manifest: manifest({ images: [d] }), live: live({ images: [lImage(FP_A, ['app'])] }), state: state('image.app') }),
    'No changes. LXD matches the manifests.\n',
  );
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

test('a published image is made after its instance and snapshot, and before the instance made from it', () => {
  const golden = dImage('golden', undefined, { source: { instance: 'base', snapshot: 'clean' }, fingerprint: undefined });
  const base = dInstance('base', { image: 'busybox', snapshots: ['clean'] });
  const web2 = dInstance('web-2', { image: 'golden' });
  const m = manifest({ images: [dImage('busybox'), golden], instances: [base, web2], snapshots: [dSnapshot('base/clean')] });
  const p = plan({ manifest: m, live: live(), state: state() });
  const by = (a: string) => p.changes.find((c) => c.address === a);
  assert.equal(by('image.golden')?.dependsOn, ['instance.base', 'snapshot.base/clean']);
  assert.equal(by('instance.web-2')?.dependsOn, ['image.golden']);
  assert.equal(by('image.golden')?.stateAttributes, { source: 'snapshot base/clean' });
  assert.match(
    render({ manifest: m, live: live(), state: state() }),
    '      + source: snapshot base/clean (published when applied: LXD gives it its fingerprint then)\n',
  );
});

test('a published image is kept as made: no fingerprint compared; another source is a replace', () => {
  const golden = (snapshot: string) => dImage('golden', undefined, { source: { instance: 'base', snapshot }, fingerprint: undefined });
  const st = state('image.golden');
  st.resources['image.golden'].attributes = { source: 'snapshot base/clean' };
  const l = live({ images: [lImage(FP_B, ['golden'])] });
  assert.is(render({ manifest: manifest({ images: [golden('clean')] }), live: l, state: st }), 'No changes. LXD matches the manifests.\n');
  const p = plan({ manifest: manifest({ images: [golden('v2')] }), live: l, state: st });
  const c = p.changes.find((x) => x.address === 'image.golden');
  assert.is(c?.action, 'replace');
  assert.equal(
    c?.fields.map((f) => `${f.path}: ${f.before} -> ${f.after}`),
    ['source: snapshot base/clean -> snapshot base/v2'],
  );
});

test('an image copied from a remote: the resolved fingerprint is compared unless LXD follows the alias (auto_update: true)', () => {
  const src = { remote: 'lab', alias: 'busybox', server: 'https://127.0.0.1:8444', protocol: 'lxd' as const, certificate: '' };
  const st = state('image.bb');
  st.resources['image.bb'].attributes = { source: 'lab:busybox' };
  const l = live({ images: [lImage(FP_A, ['bb'])] });
  const moved = plan({ manifest: manifest({ images: [dImage('bb', FP_B, { source: src, autoUpdate: false })] }), live: l, state: st });
  assert.is(moved.changes[0].action, 'replace');
  const followed = render({
    manifest: manifest({ images: [dImage('bb', FP_B, { source: src, autoUpdate: true })] }),
    live: live({ images: [lImage(FP_A, ['bb'], { auto_update: true })] }),
    state: st,
  });
  assert.is(followed, 'No changes. LXD matches the manifests.\n');
});

test('removing an image and the instances made from it: the image is deleted after them', () => {
  const l = live({
    images: [lImage(FP_A, ['app']), lImage(FP_B, ['other'])],
    instances: [
      lInstance('web-1', { config: { 'volatile.base_image': FP_A } }),
      lInstance('web-2', { config: { 'volatile.base_image': FP_A } }),
      lInstance('db-1', { config: { 'volatile.base_image': FP_B } }),
    ],
  });
  // web-2 is not lxplan's (not in the state): it stays, and keeps its own copy of the image.
  const p = plan({ manifest: manifest(), live: l, state: state('image.app', 'instance.web-1') });
  const img = p.changes.find((c) => c.address === 'image.app');
  assert.is(img?.action, 'delete');
  // web-1 goes too: the image waits for it. web-2 stays: nothing to wait for, nothing refused.
  assert.equal(img?.dependsOn, ['instance.web-1']);
  assert.is(p.changes.find((c) => c.address === 'instance.web-1')?.action, 'delete');
});

test('an instance made from the alias before the image was replaced is still waited for (the state names its image)', () => {
  const l = live({ images: [lImage(FP_B, ['busybox'])], instances: [lInstance('web-1', { config: { 'volatile.base_image': FP_A } })] });
  const p = plan({ manifest: manifest(), live: l, state: state('image.busybox', 'instance.web-1') });
  assert.equal(p.changes.find((c) => c.address === 'image.busybox')?.dependsOn, ['instance.web-1']);
});

test('an extra alias that another image holds, made by someone else, is flagged in the plan', () => {
  const d = dImage('app', FP_A, { aliases: ['shared'] });
  const out = render({ manifest: manifest({ images: [d] }), live: live({ images: [lImage(FP_B, ['shared'])] }), state: state() });
  assert.match(out, '+ aliases:     [shared] ("shared" already names another image in LXD, not made by lxplan for this one: lxapply will refuse to take it)');
});

test('an image lxplan made from local files, now to be published from a snapshot: a replace', () => {
  const golden = dImage('golden', undefined, { source: { instance: 'base', snapshot: 'clean' }, fingerprint: undefined });
  const p = plan({
    manifest: manifest({ images: [golden], instances: [dInstance('base', { image: 'golden2', snapshots: ['clean'] })], snapshots: [dSnapshot('base/clean')] }),
    live: live({ images: [lImage(FP_A, ['golden']), lImage(FP_B, ['golden2'])] }),
    state: state('image.golden'),
  });
  const c = p.changes.find((x) => x.address === 'image.golden');
  assert.is(c?.action, 'replace');
  assert.equal(
    c?.fields.map((f) => `${f.path}: ${f.before} -> ${f.after}`),
    ['source: local files -> snapshot base/clean'],
  );
});

test('the digest a saved plan checks covers the settings lxplan manages, not what LXD changes by itself', () => {
  const base = lImage(FP_A, ['app'], { properties: { os: 'busybox' } });
  const d = (l: ReturnType<typeof lImage>) => imageSpec.digest({ alias: 'app', image: l });
  assert.is(d(base), d({ ...base, size: 5, uploaded_at: 'later' }));
  assert.is.not(d(base), d({ ...base, public: true }));
  assert.is.not(d(base), d({ ...base, properties: { os: 'other' } }));
  assert.is.not(d(base), d({ ...base, auto_update: true }));
  assert.is.not(d(base), d({ ...base, aliases: [...base.aliases, ...marked('app', ['app-1'])] }));
  assert.is.not(d(base), d({ ...base, fingerprint: FP_B }));
});

test('auto_update: true on a local image is flagged: LXD has nothing to follow', () => {
  const out = render({ manifest: manifest({ images: [dImage('app', FP_A, { autoUpdate: true })] }), live: live(), state: state() });
  assert.match(out, '+ auto_update: true (LXD refreshes only images copied from a remote server: this one has nothing to follow)');
});

test.run();
