/**
 * Image identity end to end, against the real LXD daemon, through the CLI (issue 10 items 5-9,
 * issue 11 item 1): a key renamed with the same bytes keeps the image (an alias moves; run
 * several times over), an extra alias promoted to the key is no conflict, an alias one image
 * lets go of and another takes is handed over in order, two images claiming one alias are
 * refused, an instance may name a declared image by its fingerprint (in its own project), that
 * is no drift, and --destroy of a project whose image has extra aliases deletes everything.
 * Each test works in its own throwaway project (harness.ts).
 */
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
// The kinds' registry first: a kind's spec imported alone meets the registry half-initialised
// (the Incus pass, which leaves out the files that imported it before this one, showed it).
import '../../src/resources/index.js';
import { ensureBusyboxImage } from '../../src/resources/image/files.js';
import { extraAliasDescription } from '../../src/resources/image/spec.js';
import { manifestDir, run, show } from './cli.js';
import { purgeProject, TEST_PREFIX, testImage, throwawayProject, type TestImage, type ThrowawayProject, NO_CHANGES } from './harness.js';

const it = suite('image identity: keys, aliases and fingerprints');

type Dir = Awaited<ReturnType<typeof manifestDir>>;

/** Runs `body` with a throwaway project and a manifest folder, both removed afterwards. */
async function inProject(body: (p: ThrowawayProject, m: Dir, args: (...more: string[]) => string[]) => Promise<void>): Promise<void> {
  const p = await throwawayProject();
  const m = await manifestDir({});
  try {
    await body(p, m, (...more) => ['--project', p.name, ...more, m.dir]);
  } finally {
    try {
      await p.cleanup();
    } finally {
      await m.cleanup();
    }
  }
}

function imageYaml(img: TestImage, key: string, extra = ''): string {
  return `  ${key}:\n    source: {metadata: ${img.metadataPath}, rootfs: ${img.rootfsPath}}\n${extra}`;
}

/** A second busybox image with other bytes (another fingerprint). */
let other: Promise<TestImage> | undefined;
function otherImage(): Promise<TestImage> {
  other ??= ensureBusyboxImage(path.join(tmpdir(), 'lxplan-test-image-identity-other'), { alias: 'identity-other' }).then(
    ({ metadataPath, rootfsPath, fingerprint }) => ({ metadataPath, rootfsPath, fingerprint }),
  );
  return other;
}

async function applied(args: string[]): Promise<string> {
  const a = await run('lxapply', [...args.slice(0, -1), '--auto-approve', args[args.length - 1]]);
  assert.is(a.code, 0, show(a));
  return a.stdout;
}

async function noChanges(args: string[]): Promise<void> {
  const p = await run('lxplan', args);
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, NO_CHANGES, show(p));
}

it('item 5: renaming an image key (same tarballs) moves the alias and keeps the image, rename after rename', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a1')}` });
    await applied(args());
    const uploaded = (await p.client.getImage(img.fingerprint)).value.uploaded_at;
    // Each rename used to race: the create of the new key and the delete of the old one in parallel, on one fingerprint.
    const keys = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    for (let i = 1; i < keys.length; i++) {
      const [from, to] = [keys[i - 1], keys[i]];
      await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, to)}` });
      const plan = await run('lxplan', args());
      assert.is(
        plan.stdout,
        `lxplan will make these changes:

  ~ image ${to} (renamed from ${from}; live)
      ~ name: ${from} -> ${to} (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
        show(plan),
      );
      await applied(args());
      const image = (await p.client.getImage(img.fingerprint)).value;
      assert.equal(
        image.aliases.map((a) => a.name),
        [to],
        `after ${from} -> ${to}`,
      );
      assert.is(image.uploaded_at, uploaded, 'the same image: never deleted nor uploaded again');
      await noChanges(args());
    }
  });
});

it('item 5: two images with the same bytes, one of them renamed: both aliases on the one image, next plan No changes.', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a1')}` });
    await applied(args());
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a2')}${imageYaml(img, 'a3')}` });
    await applied(args());
    const image = (await p.client.getImage(img.fingerprint)).value;
    assert.equal(image.aliases.map((a) => a.name).sort(), ['a2', 'a3']);
    await noChanges(args());
  });
});

it('item 5: two keys on one image, both gone, one new key: the delete of one and the rename of the other never run at once', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a0')}${imageYaml(img, 'a1')}` });
    await applied(args());
    const uploaded = (await p.client.getImage(img.fingerprint)).value.uploaded_at;
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a2')}` });
    const out = await applied(args());
    assert.ok(out.indexOf('image a1: deleted') >= 0 && out.indexOf('image a2: updated') > out.indexOf('image a1: deleted'), out);
    const image = (await p.client.getImage(img.fingerprint)).value;
    assert.equal(
      image.aliases.map((a) => a.name),
      ['a2'],
    );
    assert.is(image.uploaded_at, uploaded, 'the image was never deleted');
    await noChanges(args());
  });
});

it('item 5: an alias one image lets go of and another takes: handed over in order, not at once', async () => {
  const [img, img2] = await Promise.all([testImage(), otherImage()]);
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a', '    aliases: [x]\n')}` });
    await applied(args());
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a')}${imageYaml(img2, 'x')}` });
    const out = await applied(args());
    const updated = out.indexOf('image a: updated');
    const created = out.indexOf('image x: created');
    assert.ok(updated >= 0 && created > updated, out);
    assert.is((await p.client.getImageAlias('x')).value.target, img2.fingerprint);
    assert.is((await p.client.getImageAlias('a')).value.target, img.fingerprint);
    await noChanges(args());
  });
});

it('item 6: an extra alias promoted to the key is the same image renamed, not a conflict', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a1', '    aliases: [a2]\n')}` });
    await applied(args());
    assert.is((await p.client.getImageAlias('a2')).value.description, extraAliasDescription('a1'));
    await m.write({ 'lxplan.yaml': `images:\n${imageYaml(img, 'a2')}` });
    const plan = await run('lxplan', args());
    assert.is(plan.code, 0, show(plan));
    assert.is(
      plan.stdout,
      `lxplan will make these changes:

  ~ image a2 (renamed from a1; live)
      ~ name: a1 -> a2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
      show(plan),
    );
    await applied(args());
    const image = (await p.client.getImage(img.fingerprint)).value;
    assert.equal(image.aliases, [{ name: 'a2', description: '' }]);
    await noChanges(args());
  });
});

it('item 7: two images claiming one alias are refused before anything is made, naming both places', async () => {
  const [img, img2] = await Promise.all([testImage(), otherImage()]);
  await inProject(async (p, m, args) => {
    await m.write({
      'a.yaml': `images:\n${imageYaml(img, 'one', '    aliases: [shared]\n')}`,
      'b.yaml': `images:\n${imageYaml(img2, 'two', '    aliases: [shared]\n')}`,
    });
    for (const bin of ['lxplan', 'lxapply'] as const) {
      const r = await run(bin, bin === 'lxplan' ? args() : args('--auto-approve'));
      assert.is(r.code, 1, show(r));
      assert.match(
        r.stderr.replaceAll(`${m.dir}/`, ''),
        'b.yaml:4:15: alias "shared" is claimed by two images: image "one" (in its aliases:, at a.yaml:4:15) and image "two" (in its aliases:, at b.yaml:4:15)',
      );
    }
    assert.equal(await p.client.listImages(), []);
  });
});

const instanceManifest = (img: TestImage, ref: string) => `images:\n${imageYaml(img, 'img')}instances:\n  web-1:\n    image: ${ref}\n    state: stopped\n`;

it('item 8: an instance naming a declared image by a fingerprint prefix is planned after it and made from it', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    // A fingerprint prefix of an image the plan creates: no "neither in the manifests nor in LXD".
    await m.write({ 'lxplan.yaml': instanceManifest(img, img.fingerprint.slice(0, 12)) });
    const out = await applied(args());
    assert.ok(out.indexOf('image img: created') < out.indexOf('instance web-1: created'), out);
    assert.is((await p.client.getInstance('web-1')).value.config['volatile.base_image'], img.fingerprint);
    await noChanges(args());
  });
});

it('item 9: naming the same image by its fingerprint instead of its key (and back) is no drift and no change', async () => {
  const img = await testImage();
  await inProject(async (p, m, args) => {
    await m.write({ 'lxplan.yaml': instanceManifest(img, 'img') });
    await applied(args());
    const uuid = (await p.client.getInstance('web-1')).value.config['volatile.uuid'];
    for (const ref of [img.fingerprint, img.fingerprint.slice(0, 12), 'img']) {
      await m.write({ 'lxplan.yaml': instanceManifest(img, ref) });
      const plan = await run('lxplan', args());
      assert.is(plan.code, 0, show(plan));
      assert.is(plan.stdout, NO_CHANGES, show(plan));
      const a = await applied(args());
      assert.not.match(a, 'Changed outside lxplan', a);
      await noChanges(args());
    }
    assert.is((await p.client.getInstance('web-1')).value.config['volatile.uuid'], uuid, 'the same instance');
  });
});

it('item 8: in a project of their own (project:), the image and the instance naming it by fingerprint', async () => {
  const img = await testImage();
  const q = await throwawayProject();
  try {
    await inProject(async (p, m, args) => {
      await m.write({
        'lxplan.yaml': `images:\n${imageYaml(img, 'img', `    project: ${q.name}\n`)}instances:\n  web-1:\n    project: ${q.name}\n    image: ${img.fingerprint.slice(0, 16)}\n    state: stopped\n`,
      });
      await applied(args());
      assert.is((await q.client.getInstance('web-1')).value.config['volatile.base_image'], img.fingerprint);
      assert.equal(await p.client.listImages(), [], 'nothing in the scope project');
      await noChanges(args());
    });
  } finally {
    await q.cleanup();
  }
});

it('issue 11 item 1: --destroy of a project whose image has extra aliases deletes the image, its aliases and the project', async () => {
  const img = await testImage();
  const name = `${TEST_PREFIX}-img-${randomBytes(3).toString('hex')}`;
  const root = new LxdClient();
  const m = await manifestDir({
    'lxplan.yaml': `project: ${name}
projects:
  ${name}:
    config:
      features.images: "true"
      features.profiles: "true"
      user.lxplan.test.host: "${hostname()}"
      user.lxplan.test.pid: "${process.pid}"
      user.lxplan.test.created: "${new Date().toISOString()}"
images:
${imageYaml(img, 'busybox', '    aliases: [busybox-latest]\n')}`,
  });
  try {
    await applied([m.dir]);
    assert.is((await root.withProject(name).getImageAlias('busybox-latest')).value.description, extraAliasDescription('busybox'));
    await noChanges([m.dir]);
    const plan = await run('lxplan', ['--destroy', m.dir]);
    assert.is(plan.code, 0, show(plan));
    assert.match(plan.stdout, '- image busybox');
    assert.not.match(plan.stdout, 'busybox-latest');
    const d = await run('lxapply', ['--destroy', '--auto-approve', m.dir]);
    assert.is(d.code, 0, show(d));
    const gone = await root.getProject(name).then(
      () => false,
      (e) => isNotFound(e),
    );
    assert.ok(gone, `project ${name} is gone from LXD`);
  } finally {
    await purgeProject(root, name).finally(() => root.close());
    await m.cleanup();
  }
});

it.run();
