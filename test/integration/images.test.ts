/**
 * Images from every source lxplan supports, end to end against the real LXD daemon, through the
 * CLI, in a throwaway project: a root file system directory lxplan packs itself (known
 * fingerprint before upload, no-op second plan, an edited file replaces the image while the
 * instance made from it keeps running), and the image settings (extra aliases, properties,
 * public, auto_update) changed live; and copies from a second LXD daemon (scripts/lxd2-up.sh).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tar from 'tar';
import { LxdClient } from '../../src/lxd/client.js';
// The kinds' registry first: a kind's spec imported alone meets the registry half-initialised.
import '../../src/resources/index.js';
import { ensureBusyboxImage, lxdArchitecture } from '../../src/resources/image/files.js';
import { fingerprintOfDirectoryImage } from '../../src/resources/image/directory.js';
import { extraAliasDescription } from '../../src/resources/image/spec.js';
import { manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject, NO_CHANGES, DAEMON_WORD, TEST_DAEMON } from './harness.js';

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
  return `${
    image
      ? `images:
  bbdir:
    source:
      directory: ${ctx.rootfs}
      properties: {os: busybox, description: from a directory}
${settings}`
      : ''
  }${
    instance
      ? `instances:
  web-1:
    image: bbdir
`
      : ''
  }`;
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
  assert.ok(
    p.stdout.includes(`  + image bbdir
      + fingerprint: ${fp.slice(0, 12)}
      + public:      false
`),
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.ok(a.stdout.includes(`Apply complete: 2 created in ${DAEMON_WORD}.`), show(a));
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
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a file edited in the directory replaces the image: the alias moves, the old image goes, the instance keeps running', async (ctx) => {
  const before = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const createdAt = (await ctx.project.client.getInstance('web-1')).value.config['volatile.uuid'];
  await writeFile(path.join(ctx.rootfs, 'etc/hostname'), 'edited\n');
  const fp = await fingerprintOfDirectoryImage(ctx.rootfs, META);
  assert.is.not(fp, before);
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  -/+ image bbdir (replace: fingerprint ${before.slice(0, 12)} -> ${fp.slice(0, 12)})
      ~ fingerprint: ${before.slice(0, 12)} -> ${fp.slice(0, 12)} (replace; a new image: the alias moves to it; instances made from the old one keep running)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.project.client.getImageAlias('bbdir')).value.target, fp);
  const fingerprints = (await ctx.project.client.listImages()).map((i) => i.fingerprint);
  assert.equal(fingerprints, [fp], 'the old image is deleted');
  const inst = (await ctx.project.client.getInstance('web-1')).value;
  assert.is(inst.status, 'Running');
  assert.is(inst.config['volatile.uuid'], createdAt, 'the instance is the same one');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a saved plan is applied only with the directory it was made from: changed since, the upload is refused', async (ctx) => {
  const planFile = path.join(ctx.m.dir, 'plan.json');
  await writeFile(path.join(ctx.rootfs, 'etc/hostname'), 'planned\n');
  const p = await run('lxplan', ctx.args('-o', planFile));
  assert.is(p.code, 0, show(p));
  assert.match(p.stdout, '-/+ image bbdir (replace: fingerprint');
  await writeFile(path.join(ctx.rootfs, 'etc/hostname'), 'not what was planned\n');
  const before = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const a = await run('lxapply', ['--project', ctx.project.name, '--auto-approve', planFile]);
  assert.is.not(a.code, 0, show(a));
  assert.match(a.stdout + a.stderr, 'changed since the plan');
  assert.is((await ctx.project.client.getImageAlias('bbdir')).value.target, before, 'nothing was uploaded or moved');
  assert.equal(
    (await ctx.project.client.listImages()).map((i) => i.fingerprint),
    [before],
  );
  // Back to what LXD has: nothing to do.
  await writeFile(path.join(ctx.rootfs, 'etc/hostname'), 'edited\n');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('aliases, properties, public and auto_update are changed live on the image', async (ctx) => {
  await ctx.m.write({
    'lxplan.yaml': directoryManifest(ctx, {
      settings: `    aliases: [bb-one, bb-two]
    public: true
    auto_update: false
    properties: {os: busybox, release: "1"}
`,
    }),
  });
  const fp = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  // (The first plan that manages properties and auto_update also lists their live values under
  // "Changed outside lxplan": the state recorded none. See the report on drift of newly managed fields.)
  assert.ok(
    p.stdout.includes(`lxplan will make these changes:

  ~ image bbdir (live)
      ~ public:                 false -> true (live)
      + aliases:                [bb-one, bb-two] (live)
      - properties.description: from a directory (live)
      + properties.release:     1 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`),
    show(p),
  );
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
  assert.is(again.stdout, NO_CHANGES, show(again));

  // One alias dropped, one added; an alias someone else put on the image is left alone.
  await ctx.project.client.createImageAlias('theirs', fp, 'made by hand');
  await ctx.m.write({
    'lxplan.yaml': directoryManifest(ctx, {
      settings: `    aliases: [bb-two, bb-three]
    public: true
    auto_update: false
    properties: {os: busybox, release: "1"}
`,
    }),
  });
  const p2 = await run('lxplan', ctx.args());
  assert.ok(p2.stdout.includes('~ aliases: [bb-one, bb-two] -> [bb-three, bb-two] (live)'), show(p2));
  const a2 = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a2.code, 0, show(a2));
  const names = (await ctx.project.client.getImage(fp)).value.aliases.map((x) => x.name).sort();
  assert.equal(names, ['bb-three', 'bb-two', 'bbdir', 'theirs']);
  await ctx.project.client.deleteImageAlias('theirs');
});

it('a saved plan changing an image is refused when someone changed its settings in LXD since', async (ctx) => {
  const planFile = path.join(ctx.m.dir, 'plan-settings.json');
  await ctx.m.write({
    'lxplan.yaml': directoryManifest(ctx, {
      settings: `    aliases: [bb-two, bb-three]
    public: false
    auto_update: false
    properties: {os: busybox, release: "1"}
`,
    }),
  });
  const p = await run('lxplan', ctx.args('-o', planFile));
  assert.is(p.code, 0, show(p));
  assert.match(p.stdout, '~ public: true -> false (live)');
  const fp = (await ctx.project.client.getImageAlias('bbdir')).value.target;
  const { value, etag } = await ctx.project.client.getImage(fp);
  await ctx.project.client.updateImage(
    fp,
    { auto_update: value.auto_update, public: value.public, properties: { ...value.properties, release: 'by hand' } },
    etag,
  );
  const a = await run('lxapply', ['--project', ctx.project.name, '--auto-approve', planFile]);
  assert.is.not(a.code, 0, show(a));
  assert.match(a.stdout + a.stderr, `image "bbdir" was changed in ${DAEMON_WORD} since the plan was made; nothing was written to it`);
  const now = (await ctx.project.client.getImage(fp)).value;
  assert.is(now.public, true, "the plan's change was not made");
  assert.is(now.properties.release, 'by hand', 'the change made by hand is kept');
  // The next plan shows it, and puts the manifest's value back.
  const fix = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(fix.code, 0, show(fix));
  assert.is((await ctx.project.client.getImage(fp)).value.properties.release, '1');
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
  // The image goes after the instance made from it.
  const inst = a.stdout.indexOf('instance web-1: deleted');
  const img = a.stdout.indexOf('image bbdir: deleted');
  assert.ok(inst >= 0 && img > inst, show(a));
  assert.equal(await ctx.project.client.listImages(), []);
  assert.equal(await ctx.project.client.listImageAliases(), []);
  assert.equal(await ctx.project.client.listInstances(), []);
});

it.run();

// --- copies from another LXD server (scripts/lxd2-up.sh: https://127.0.0.1:8444) ---

const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const LXD2_URL = 'https://127.0.0.1:8444';

type RemoteCtx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  lab: LxdClient;
  /** An alias made on the lab server for this suite, and the image it points at first. */
  alias: string;
  first: string;
  /** An image this suite uploads to the lab server (removed in after). */
  second?: string;
  args: (...more: string[]) => string[];
};
const remote = suite<RemoteCtx>('images copied from another LXD server');

function remoteManifest(ctx: RemoteCtx, extra = ''): string {
  return `remotes:
  lab: {url: "${LXD2_URL}", protocol: lxd, certificate: lab.crt}
images:
  bb:
    source: {remote: lab, alias: ${ctx.alias}}
    auto_update: false
${extra}instances:
  c1:
    image: bb
`;
}

remote.before(async (ctx) => {
  ctx.lab = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  try {
    ctx.first = (await ctx.lab.getImageAlias('busybox')).value.target;
  } catch (e) {
    throw new Error(`the second LXD (${LXD2_DIR}) with its public busybox image is needed: run scripts/lxd2-up.sh (${(e as Error).message})`);
  }
  ctx.alias = `lxplan-test-${randomBytes(3).toString('hex')}`;
  await ctx.lab.createImageAlias(ctx.alias, ctx.first, 'lxplan integration test: safe to delete when no test runs');
  ctx.project = await throwawayProject();
  ctx.m = await manifestDir({ 'lxplan.yaml': remoteManifest(ctx), 'lab.crt': await readFile(path.join(LXD2_DIR, 'server.crt'), 'utf8') });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

remote.after(async (ctx) => {
  try {
    await ctx.project?.cleanup();
    if (ctx.alias) await ctx.lab.deleteImageAlias(ctx.alias).catch(() => undefined);
    if (ctx.second) await ctx.lab.deleteImage(ctx.second).catch(() => undefined);
  } finally {
    ctx.lab?.close();
    await ctx.m?.cleanup();
  }
});

remote('the plan resolves the alias on the remote and shows the fingerprint; lxapply has LXD pull it; then No changes.', async (ctx) => {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.ok(
    p.stdout.includes(`  + image bb
      + source:      lab:${ctx.alias}
      + fingerprint: ${ctx.first.slice(0, 12)}
      + public:      false
      + auto_update: false
`),
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.project.client.getImageAlias('bb')).value.target, ctx.first);
  assert.is((await ctx.project.client.getInstance('c1')).value.status, 'Running');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

remote('the alias moved on the remote: the plan shows the new fingerprint, a replace of the local copy; the instance keeps running', async (ctx) => {
  const other = await ensureBusyboxImage(path.join(tmpdir(), 'lxplan-test-image-lab-other'), { alias: 'lab-other' });
  ctx.second = other.fingerprint;
  const has = await ctx.lab.getImage(other.fingerprint).then(
    () => true,
    () => false,
  );
  if (!has) await ctx.lab.uploadSplitImage({ metadataPath: other.metadataPath, rootfsPath: other.rootfsPath, public: true });
  else await ctx.lab.updateImage(other.fingerprint, { auto_update: false, properties: {}, public: true });
  const { etag } = await ctx.lab.getImageAlias(ctx.alias);
  await ctx.lab.updateImageAlias(ctx.alias, other.fingerprint, etag);

  const uuid = (await ctx.project.client.getInstance('c1')).value.config['volatile.uuid'];
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  -/+ image bb (replace: fingerprint ${ctx.first.slice(0, 12)} -> ${other.fingerprint.slice(0, 12)})
      ~ fingerprint: ${ctx.first.slice(0, 12)} -> ${other.fingerprint.slice(0, 12)} (replace; the image the source names on remote "lab" changed: a new copy, the alias moves to it; instances made from the old one keep running)

Plan: 1 to add, 0 to change, 1 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.project.client.getImageAlias('bb')).value.target, other.fingerprint);
  assert.equal(
    (await ctx.project.client.listImages()).map((i) => i.fingerprint),
    [other.fingerprint],
    'the old copy is deleted',
  );
  const c1 = (await ctx.project.client.getInstance('c1')).value;
  assert.is(c1.status, 'Running');
  assert.is(c1.config['volatile.uuid'], uuid);
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

remote('an unreachable remote is an error naming the remote and the manifest position; nothing changes', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': remoteManifest(ctx).replace(LXD2_URL, 'https://127.0.0.1:1') });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 1, show(p));
  assert.match(p.stderr, `lxplan.yaml:5:27: image "bb": cannot reach remote "lab" at https://127.0.0.1:1: connection refused`);
  assert.match(p.stderr, 'hint: check url: of remote "lab" (');
  // A certificate that is not the server's is refused too (pinned, not merely "some valid certificate").
  await ctx.m.write({ 'lxplan.yaml': remoteManifest(ctx), 'lab.crt': await readFile('/var/lib/lxd/server.crt', 'utf8') });
  const wrong = await run('lxplan', ctx.args());
  assert.is(wrong.code, 1, show(wrong));
  assert.match(wrong.stderr, 'presented a certificate other than the one in its certificate: file');
  await ctx.m.write({ 'lxplan.yaml': remoteManifest(ctx), 'lab.crt': await readFile(path.join(LXD2_DIR, 'server.crt'), 'utf8') });
});

remote('auto_update: true pulls by alias, so LXD records the alias to follow; then No changes.', async (ctx) => {
  // First no image at all: LXD records the alias only when the pull downloads the image.
  await ctx.m.write({ 'lxplan.yaml': `remotes:\n  lab: {url: "${LXD2_URL}", protocol: lxd, certificate: lab.crt}\n` });
  const cleared = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(cleared.code, 0, show(cleared));
  assert.equal(await ctx.project.client.listImages(), []);
  await ctx.m.write({
    'lxplan.yaml': `remotes:
  lab: {url: "${LXD2_URL}", protocol: lxd, certificate: lab.crt}
images:
  follow:
    source: {remote: lab, alias: ${ctx.alias}}
    auto_update: true
`,
  });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const fp = (await ctx.project.client.getImageAlias('follow')).value.target;
  const img = (await ctx.project.client.getImage(fp)).value;
  assert.is(img.auto_update, true);
  assert.equal(
    { alias: img.update_source?.alias, server: img.update_source?.server, protocol: img.update_source?.protocol },
    // The daemon records the protocol in its own words: Incus calls LXD's API "incus" (lxplan sends it so).
    { alias: ctx.alias, server: LXD2_URL, protocol: TEST_DAEMON === 'incus' ? 'incus' : 'lxd' },
  );
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

remote.run();

// --- published from a snapshot of an instance in the same manifests ---

type PubCtx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  image: Awaited<ReturnType<typeof testImage>>;
  args: (...more: string[]) => string[];
};
const published = suite<PubCtx>('images published from an instance snapshot');

function publishedManifest(ctx: PubCtx, snapshot: string, snapshots: string[]): string {
  return `images:
  bb:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
  golden:
    source: {instance: base, snapshot: ${snapshot}}
    properties: {os: busybox, description: golden}
instances:
  base:
    image: bb
    snapshots: [${snapshots.join(', ')}]
  web-2:
    image: golden
`;
}

published.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': publishedManifest(ctx, 'clean', ['clean']) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

published.after(async (ctx) => {
  try {
    await ctx.project?.cleanup();
  } finally {
    await ctx.m?.cleanup();
  }
});

published('one apply: instance, its snapshot, the image published from it, an instance from that image, in that order; then No changes.', async (ctx) => {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.ok(
    p.stdout.includes(`  + image golden
      + source:                 snapshot base/clean (published when applied: LXD gives it its fingerprint then)
      + public:                 false
      + properties.description: golden
      + properties.os:          busybox
`),
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const order = ['instance base:', 'snapshot base/clean:', 'image golden:', 'instance web-2:'].map((s) => a.stdout.indexOf(s));
  assert.ok(
    order.every((i) => i >= 0),
    show(a),
  );
  assert.equal(
    [...order].sort((x, y) => x - y),
    order,
    `made in dependency order\n${show(a)}`,
  );

  const fp = (await ctx.project.client.getImageAlias('golden')).value.target;
  assert.is.not(fp, ctx.image.fingerprint);
  const web2 = (await ctx.project.client.getInstance('web-2')).value;
  assert.is(web2.status, 'Running');
  assert.is(web2.config['volatile.base_image'], fp);
  assert.is((await ctx.project.client.getInstance('base')).value.status, 'Running', 'the snapshot is published while base runs');
  const st = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as {
    resources: Record<string, { fingerprint?: string; attributes?: Record<string, string> }>;
  };
  assert.is(st.resources['image.golden'].attributes?.source, 'snapshot base/clean');
  assert.is(st.resources['image.golden'].fingerprint, fp, 'the state records the fingerprint LXD gave it');

  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

published('another snapshot as the source is a replace: a new snapshot, a new image, the alias moves, web-2 keeps running', async (ctx) => {
  const before = (await ctx.project.client.getImageAlias('golden')).value.target;
  // Something changed in base since "clean": a snapshot of the same files published within the same
  // second gives the same bytes (LXD writes the publish time, in seconds, into metadata.yaml).
  const exec = await execInInstance(ctx.project.name, 'base', ['sh', '-c', 'echo v2 > /root/version']);
  assert.is(exec, 0);
  await ctx.m.write({ 'lxplan.yaml': publishedManifest(ctx, 'v2', ['clean', 'v2']) });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.ok(
    p.stdout.includes(`  -/+ image golden (replace: source snapshot base/clean -> snapshot base/v2)
      ~ source: snapshot base/clean -> snapshot base/v2 (replace; another source: a new image, the alias moves to it; published when applied: LXD gives it its fingerprint then)
`),
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const after = (await ctx.project.client.getImageAlias('golden')).value.target;
  assert.is.not(after, before);
  assert.not.ok(
    (await ctx.project.client.listImages()).some((i) => i.fingerprint === before),
    'the old published image is deleted',
  );
  assert.is((await ctx.project.client.getInstance('web-2')).value.status, 'Running');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

/** Runs a command in an instance of a project with lxc; returns its exit code. */
function execInInstance(project: string, instance: string, cmd: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('lxc', ['exec', '--project', project, instance, '--', ...cmd], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

published.run();
