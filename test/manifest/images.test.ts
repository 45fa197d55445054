/** The image parts of the manifest: directory sources, settings, and the mistakes people make with them. */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { lxdArchitecture } from '../../src/resources/image/files.js';
import { loadError, summary, tree } from './helpers.js';

test('a directory source: absolute path, host architecture and fixed creation date by default, properties as strings', async () => {
  const dir = await tree({
    'rootfs/etc/hostname': 'x\n',
    'm.yaml':
      'images:\n  app:\n    source:\n      directory: rootfs\n      properties: {os: busybox, release: 1}\n    aliases: [app-latest]\n    properties: {os: busybox}\n    auto_update: false\n',
  });
  const m = await loadManifests(dir);
  const img = m.images.app;
  assert.equal(img.source, {
    directory: path.join(dir, 'rootfs'),
    architecture: lxdArchitecture(),
    creationDate: 1704067200,
    properties: { os: 'busybox', release: '1' },
  });
  assert.equal(img.aliases, ['app-latest']);
  assert.equal(img.properties, { os: 'busybox' });
  assert.is(img.autoUpdate, false);
});

test('creation_date as a date or Unix seconds; architecture as given', async () => {
  const dir = await tree({
    'rootfs/a': '',
    'm.yaml':
      'images:\n  a:\n    source: {directory: rootfs, creation_date: 2025-02-03, architecture: aarch64}\n  b:\n    source: {directory: rootfs, creation_date: 1000}\n',
  });
  const m = await loadManifests(dir);
  assert.equal(m.images.a.source, {
    directory: path.join(dir, 'rootfs'),
    architecture: 'aarch64',
    creationDate: Date.parse('2025-02-03T00:00:00Z') / 1000,
    properties: {},
  });
  assert.is((m.images.b.source as { creationDate: number }).creationDate, 1000);
  assert.is(m.images.a.aliases, undefined, 'aliases: absent means none declared');
  assert.is(m.images.a.properties, undefined, 'properties: absent means not managed');
});

test('mixed sources, metadata keys on a split image, a bad date, a name repeated as an alias, a missing directory: each located', async () => {
  const dir = await tree({
    'rootfs/a': '',
    'images/m.tar.gz': '',
    'images/r.tar.gz': '',
    'm.yaml': [
      'images:',
      '  a:',
      '    source: {directory: rootfs, metadata: images/m.tar.gz}',
      '  b:',
      '    source: {metadata: images/m.tar.gz, rootfs: images/r.tar.gz, architecture: x86_64}',
      '  c:',
      '    source: {directory: rootfs, creation_date: yesterday}',
      '    aliases: [c, c2, c2]',
      '  d:',
      '    source: {directory: nowhere}',
      '  e:',
      '    source: {}',
      '',
    ].join('\n'),
  });
  const e = await loadError(dir);
  const got = summary(e).map((s) => s.replaceAll(`${dir}/`, ''));
  assert.equal(got, [
    'manifest.value m.yaml:3:33: source.metadata and source.directory of image "a" are two different sources: give one',
    'manifest.value m.yaml:5:66: source.architecture of image "b" applies to source.directory only (a split image\'s metadata tarball has its own metadata.yaml)',
    'manifest.value m.yaml:7:48: invalid creation_date of image "c": give Unix seconds (1704067200) or a date (2024-01-01 or 2024-01-01T00:00:00Z)',
    'manifest.value m.yaml:8:15: alias "c" of image "c" is its name already: the name is always an alias',
    'manifest.value m.yaml:8:22: alias "c2" of image "c" is listed twice',
    'manifest.io m.yaml:10:14: image "d": directory nowhere does not exist',
    'manifest.schema m.yaml:12:5: missing key "metadata" in source of image "e"',
    'manifest.schema m.yaml:12:5: missing key "rootfs" in source of image "e"',
  ]);
});

test('remotes: an image copied from one gets its url, protocol and certificate; unknown remotes and missing certificates are located', async () => {
  const pem = (await import('node:fs')).readFileSync('/var/lib/lxd/server.crt', 'utf8');
  const dir = await tree({
    'certs/lab.crt': pem,
    'a.yaml': 'remotes:\n  lab: {url: "https://127.0.0.1:8444", certificate: certs/lab.crt}\n  ss: {url: "https://images.example", protocol: simplestreams}\n',
    'b.yaml': 'images:\n  bb:\n    source: {remote: lab, alias: busybox}\n  up:\n    source: {remote: ss, fingerprint: 0123456789ab}\n',
  });
  const m = await loadManifests(dir);
  assert.equal(m.images.bb.source, { remote: 'lab', alias: 'busybox', server: 'https://127.0.0.1:8444', protocol: 'lxd', certificate: pem });
  assert.equal(m.images.up.source, { remote: 'ss', fingerprint: '0123456789ab', server: 'https://images.example', protocol: 'simplestreams', certificate: '' });
  assert.equal(Object.keys(m.remotes ?? {}), ['lab', 'ss']);

  const bad = await tree({
    'm.yaml': [
      'remotes:',
      '  lab: {url: "https://127.0.0.1:8444", certificate: nowhere.crt}',
      'images:',
      '  a:',
      '    source: {remote: lbb, alias: busybox}',
      '  b:',
      '    source: {remote: lab}',
      '  c:',
      '    source: {remote: lab, alias: x, rootfs: r.tar.gz}',
      '  d:',
      '    source: {alias: busybox}',
      '',
    ].join('\n'),
  });
  const got = summary(await loadError(bad)).map((x) => x.replaceAll(`${bad}/`, ''));
  assert.equal(got, [
    'manifest.io m.yaml:2:40: remote "lab": certificate nowhere.crt does not exist',
    'manifest.reference m.yaml:5:14: image "a" is copied from remote "lbb", which is not defined under remotes:',
    'manifest.value m.yaml:7:5: source of image "b" copies from remote "lab": give alias or fingerprint (one of them)',
    'manifest.value m.yaml:9:37: source.rootfs of image "c" does not go with source.remote: the image comes from the remote server',
    'manifest.schema m.yaml:11:5: missing key "metadata" in source of image "d"',
    'manifest.schema m.yaml:11:5: missing key "rootfs" in source of image "d"',
    'manifest.value m.yaml:11:14: source.alias of image "d" names an image on a remote server: give source.remote too',
  ]);
});

test('published images: a running instance needs a snapshot, and the snapshot must be one the instance declares', async () => {
  const ok = await tree({
    'm.yaml':
      'images:\n  g:\n    source: {instance: base, snapshot: clean}\n  h:\n    source: {instance: cold}\ninstances:\n  base:\n    image: bb\n    snapshots: [clean]\n  cold:\n    image: bb\n    state: stopped\n',
  });
  const m = await loadManifests(ok, { checkFiles: false });
  assert.equal(m.images.g.source, { instance: 'base', snapshot: 'clean' });
  assert.equal(m.images.h.source, { instance: 'cold' });

  const bad = await tree({
    'm.yaml': [
      'images:',
      '  a:',
      '    source: {instance: base}',
      '  b:',
      '    source: {instance: base, snapshot: nope}',
      '  c:',
      '    source: {instance: elsewhere}',
      '  d:',
      '    source: {snapshot: clean, instance: base, rootfs: r.tar.gz}',
      'instances:',
      '  base:',
      '    image: bb',
      '    snapshots: [clean]',
      '',
    ].join('\n'),
  });
  const got = summary(await loadError(bad, { checkFiles: false })).map((x) => x.replaceAll(`${bad}/`, ''));
  assert.equal(got, [
    'manifest.value m.yaml:3:14: image "a" is published from instance "base", which the manifests keep running: LXD cannot publish a running container',
    'manifest.reference m.yaml:5:30: image "b" is published from snapshot "nope" of instance "base", which its snapshots: do not list',
    'manifest.value m.yaml:7:14: image "c" is published from instance "elsewhere", which the manifests do not declare stopped: LXD cannot publish a running container',
    'manifest.value m.yaml:9:47: source.rootfs of image "d" does not go with source.instance: the image is published from the instance',
  ]);
});

test('a remote that is not https, and a bad fingerprint: the field in words, and what it expects', async () => {
  const dir = await tree({ 'm.yaml': 'remotes:\n  lab: {url: "http://x"}\nimages:\n  a:\n    source: {remote: lab, fingerprint: XYZ}\n' });
  const e = await loadError(dir);
  assert.equal(
    [e, ...e.more].map((x) => `${x.location?.line}:${x.location?.col} ${x.message} | ${x.hint}`),
    [
      '2:14 "url" of remote "lab" is not valid: the string "http://x" does not match ^https:// | The server\'s HTTPS address, e.g. https://images.example:8443.',
      '5:40 "fingerprint" in source of image "a" is not valid: the string "XYZ" does not match ^[0-9a-f]{12,64}$ | With remote: the image\'s fingerprint on that server (a unique prefix is enough).',
    ],
  );
});

test('item 7 of issue 10: two images claiming one alias (a key and an aliases: entry, or two entries) are refused, naming both', async () => {
  const dir = await tree({
    'images/m.tar.gz': '',
    'images/r.tar.gz': '',
    'a.yaml': 'images:\n  a1:\n    source: {metadata: images/m.tar.gz, rootfs: images/r.tar.gz}\n    aliases: [shared, a2]\n',
    'b.yaml': 'images:\n  a2:\n    source: {metadata: images/m.tar.gz, rootfs: images/r.tar.gz}\n    aliases: [shared]\n',
  });
  const e = await loadError(dir);
  assert.equal(
    summary(e).map((s) => s.replaceAll(`${dir}/`, '')),
    [
      'manifest.duplicate a.yaml:4:23: alias "a2" is claimed by two images: image "a2" (its key, at b.yaml:2:3) and image "a1" (in its aliases:, at a.yaml:4:23)',
      'manifest.duplicate b.yaml:4:15: alias "shared" is claimed by two images: image "a1" (in its aliases:, at a.yaml:4:15) and image "a2" (in its aliases:, at b.yaml:4:15)',
    ],
  );
  // In two projects, the same alias names two images: no clash.
  const ok = await tree({
    'images/m.tar.gz': '',
    'images/r.tar.gz': '',
    'a.yaml':
      'images:\n  a1:\n    source: {metadata: images/m.tar.gz, rootfs: images/r.tar.gz}\n    aliases: [shared]\n  a2:\n    project: other\n    source: {metadata: images/m.tar.gz, rootfs: images/r.tar.gz}\n    aliases: [shared]\n',
  });
  assert.equal(Object.keys((await loadManifests(ok)).images), ['a1', 'a2']);
});

test.run();
