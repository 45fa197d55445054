/**
 * Images from every source lxplan supports, end to end against the real LXD daemon, through the
 * CLI, in a throwaway project: a root file system directory lxplan packs itself (known
 * fingerprint before upload, no-op second plan, an edited file replaces the image while the
 * instance made from it keeps running), and the image settings (extra aliases, properties,
 * public, auto_update) changed live.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tar from 'tar';
import { lxdArchitecture } from '../../src/resources/image-files.js';
import { fingerprintOfDirectoryImage } from '../../src/resources/image-directory.js';
import { extraAliasDescription } from '../../src/resources/image.js';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  /** A root file system directory: the busybox test image unpacked. */
  rootfs: string;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('images end to end');

const META = { architecture: lxdArchitecture(), creationDate: 1704067200, properties: { os: 'busybox', description: 'from a directory' } };

function directoryManifest(ctx: Ctx, opts: { instance?: boolean; image?: boolean; settings?: string } = {}): string {
  const { instance = true, image = true, settings = '' } = opts;
  return `${image ? `images:
  bbdir:
    source:
      directory: ${ctx.rootfs}
      properties: {os: busybox, description: from a directory}
${settings}` : ''}${instance ? `instances:
  web-1:
    image: bbdir
` : ''}`;
}

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  const img = await testImage();
  ctx.rootfs = await mkdtemp(path.join(tmpdir(), 'lxplan-test-rootfs-'));
  // preservePaths: keep the symlinks' absolute targets (/bin/busybox) as they are.
  await tar.x({ file: img.rootfsPath, cwd: ctx.rootfs, preserveOwner: true, preservePaths: true });
  ctx.m = await manifestDir({ 'lxplan.yaml': directoryManifest(ctx) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  try {
    await ctx.project?.cleanup();
  } finally {
    if (ctx.rootfs) await rm(ctx.rootfs, { recursive: true, force: true });
    await ctx.m?.cleanup();
  }
});

it('a directory image: the plan knows its fingerprint, lxapply packs and uploads it, the next plan says No changes.', async (ctx) => {
  const fp = await fingerprintOfDirectoryImage(ctx.rootfs, META);
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.ok(p.stdout.includes(`  + image bbdir
      + fingerprint: ${fp.slice(0, 12)}
      + public:      false
`), show(p));
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.ok(a.stdout.includes('Apply complete: 2 change(s) made.'), show(a));
  // LXD computed the same fingerprint from the bytes it received.
  const alias = (await ctx.project.client.getImageAlias('bbdir')).value;
  assert.is(alias.target, fp);
  const image = (await ctx.project.client.getImage(fp)).value;
  assert.is(image.architecture, lxdArchitecture());
  assert.is(image.properties.os, 'busybox');
  assert.is(image.properties.description, 'from a directory');
  assert.is((await ctx.project.client.getInstance('web-1')).value.status, 'Running');

  const again = await run('lxplan', ctx.args());
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, 'No changes. LXD matches the manifests.\n', show(again));
});

it('a file edited in the directory replaces the image: the alias moves, the old image goes, the instance keeps running', async (ctx) => {
  const before = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const createdAt = (await ctx.project.client.getInstance('web-1')).value.config['volatile.uuid'];
  await writeFile(path.join(ctx.rootfs, 'etc/hostname'), 'edited\n');
  const fp = await fingerprintOfDirectoryImage(ctx.rootfs, META);
  assert.is.not(fp, before);
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, `lxplan will make these changes:

  -/+ image bbdir (replace: fingerprint ${before.slice(0, 12)} -> ${fp.slice(0, 12)})
      ~ fingerprint: ${before.slice(0, 12)} -> ${fp.slice(0, 12)} (replace; a new image: the alias moves to it; instances made from the old one keep running)

Plan: 1 to add, 0 to change, 1 to destroy.
`, show(p));
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.project.client.getImageAlias('bbdir')).value.target, fp);
  const fingerprints = (await ctx.project.client.listImages()).map((i) => i.fingerprint);
  assert.equal(fingerprints, [fp], 'the old image is deleted');
  const inst = (await ctx.project.client.getInstance('web-1')).value;
  assert.is(inst.status, 'Running');
  assert.is(inst.config['volatile.uuid'], createdAt, 'the instance is the same one');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, 'No changes. LXD matches the manifests.\n', show(again));
});

it('aliases, properties, public and auto_update are changed live on the image', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': directoryManifest(ctx, { settings: `    aliases: [bb-one, bb-two]
    public: true
    auto_update: false
    properties: {os: busybox, release: "1"}
` }) });
  const fp = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  // (The first plan that manages properties and auto_update also lists their live values under
  // "Changed outside lxplan": the state recorded none. See the report on drift of newly managed fields.)
  assert.ok(p.stdout.includes(`lxplan will make these changes:

  ~ image bbdir (live)
      ~ public:                 false -> true (live)
      + aliases:                [bb-one, bb-two] (live)
      - properties.description: from a directory (live)
      + properties.release:     1 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`), show(p));
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const image = (await ctx.project.client.getImage(fp)).value;
  assert.is(image.public, true);
  assert.is(image.auto_update, false);
  assert.equal(image.properties, { os: 'busybox', release: '1' });
  for (const a of ['bb-one', 'bb-two']) {
    const alias = (await ctx.project.client.getImageAlias(a)).value;
    assert.is(alias.target, fp, a);
    assert.is(alias.description, extraAliasDescription('bbdir'), a);
  }
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, 'No changes. LXD matches the manifests.\n', show(again));

  // One alias dropped, one added; an alias someone else put on the image is left alone.
  await ctx.project.client.createImageAlias('theirs', fp, 'made by hand');
  await ctx.m.write({ 'lxplan.yaml': directoryManifest(ctx, { settings: `    aliases: [bb-two, bb-three]
    public: true
    auto_update: false
    properties: {os: busybox, release: "1"}
` }) });
  const p2 = await run('lxplan', ctx.args());
  assert.ok(p2.stdout.includes('~ aliases: [bb-one, bb-two] -> [bb-three, bb-two] (live)'), show(p2));
  const a2 = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a2.code, 0, show(a2));
  const names = (await ctx.project.client.getImage(fp)).value.aliases.map((x) => x.name).sort();
  assert.equal(names, ['bb-three', 'bb-two', 'bbdir', 'theirs']);
  await ctx.project.client.deleteImageAlias('theirs');
});

it('an extra alias that another image already has is refused, not taken', async (ctx) => {
  const other = await testImage();
  await ctx.m.write({
    'lxplan.yaml': directoryManifest(ctx, { settings: '    aliases: [taken]\n' }),
  });
  // An image lxplan does not manage, holding the alias.
  const up = await ctx.project.client.uploadSplitImage({ metadataPath: other.metadataPath, rootfsPath: other.rootfsPath, public: false });
  await ctx.project.client.createImageAlias('taken', up, '');
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is.not(a.code, 0, show(a));
  assert.match(a.stdout + a.stderr, 'alias "taken" already exists in LXD for image');
  assert.is((await ctx.project.client.getImageAlias('taken')).value.target, up);
  await ctx.project.client.deleteImageAlias('taken');
  await ctx.project.client.deleteImage(up);
});

it('removed from the manifests, the image and its extra aliases are deleted after the instance', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': directoryManifest(ctx, { image: false, instance: false }) });
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(a.code, 0, show(a));
  assert.equal(await ctx.project.client.listImages(), []);
  assert.equal(await ctx.project.client.listImageAliases(), []);
  assert.equal(await ctx.project.client.listInstances(), []);
});

it.run();
