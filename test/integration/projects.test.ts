/**
 * Projects end to end, against the real LXD daemon, through the CLI: a directory that declares
 * its own project (projects:) and lives in it (project:). The project is made by lxplan itself,
 * so it is not a harness project: it gets a unique test name and the harness's owner keys (as
 * user.* config: a concurrent sweep then sees a live run, not a leftover), and it is purged in
 * `after` whatever happened.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import { manifestDir, run, show } from './cli.js';
import { purgeProject, TEST_PREFIX, testImage, NO_CHANGES, DAEMON_WORD } from './harness.js';

type Ctx = {
  name: string;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  root: LxdClient;
  owner: string;
  created: string;
};
const it = suite<Ctx>('projects: a directory that declares its project and lives in it');

function manifest(ctx: Ctx, parts: { limit?: string; images?: string } = {}): string {
  const { limit = '5', images = 'true' } = parts;
  return `project: ${ctx.name}
projects:
  ${ctx.name}:
    description: lxplan integration test
    config:
      features.images: "${images}"
      features.profiles: "true"
      limits.instances: "${limit}"
${ctx.owner}
images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
profiles:
  default:
    devices:
      root: {type: disk, path: /, pool: default}
instances:
  c1:
    image: busybox
`;
}

it.before(async (ctx) => {
  ctx.name = `${TEST_PREFIX}-proj-${randomBytes(3).toString('hex')}`;
  ctx.root = new LxdClient();
  ctx.image = await testImage();
  // The harness's owner keys (see harness.ts): a sweep running meanwhile keeps this project.
  ctx.created = new Date().toISOString();
  ctx.owner = [
    `      user.lxplan.test.host: "${hostname()}"`,
    `      user.lxplan.test.pid: "${process.pid}"`,
    `      user.lxplan.test.created: "${ctx.created}"`,
  ].join('\n');
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
});

it.after(async (ctx) => {
  try {
    if (ctx.name) await purgeProject(ctx.root, ctx.name);
  } finally {
    ctx.root?.close();
    await ctx.m?.cleanup();
  }
});

const order = (text: string, lines: string[]) =>
  lines.map((l) => {
    const i = text.indexOf(l);
    assert.ok(i >= 0, `missing "${l}" in:\n${text}`);
    return i;
  });

it('the plan creates the project first and everything in it after it; lxapply does it in that order; then No changes.', async (ctx) => {
  // The project does not exist yet: reads inside it are empty, not errors.
  assert.not.ok(
    await ctx.root.getProject(ctx.name).then(
      () => true,
      (e) => {
        if (isNotFound(e)) return false;
        throw e;
      },
    ),
  );
  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.ok(
    p.stdout.startsWith(`lxplan will make these changes:

  + project ${ctx.name}
      + description:                     lxplan integration test
      + config.features.images:          true
      + config.features.profiles:        true
      + config.limits.instances:         5
      + config.user.lxplan.test.created: ${ctx.created}
      + config.user.lxplan.test.host:    ${hostname()}
      + config.user.lxplan.test.pid:     ${process.pid}
  + image busybox
`),
    show(p),
  );
  assert.match(
    p.stdout,
    `  ~ profile default (live)  # built-in profile: lxplan starts managing it
      ~ description:       Default ${DAEMON_WORD} profile for project ${ctx.name} -> "" (live)
`,
  );
  assert.match(p.stdout, 'Plan: 3 to add, 1 to change, 0 to destroy.');

  const j = await run('lxplan', ['--json', ctx.m.dir]);
  assert.is(j.code, 0, show(j));
  const doc = JSON.parse(j.stdout) as { project: string; changes: Array<{ address: string; depends_on?: string[]; dependsOn?: string[] }> };
  assert.is(doc.project, ctx.name);
  const deps = Object.fromEntries(doc.changes.map((c) => [c.address, c.depends_on ?? c.dependsOn ?? []]));
  assert.equal(deps[`project.${ctx.name}`], []);
  for (const a of ['image.busybox', 'profile.default', 'instance.c1'])
    assert.ok(deps[a].includes(`project.${ctx.name}`), `${a} waits for the project: ${JSON.stringify(deps)}`);

  const a = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(a.code, 0, show(a));
  const [project, ...rest] = order(a.stdout, [`project ${ctx.name}: created`, 'profile default: updated', 'image busybox: created', 'instance c1: created']);
  for (const i of rest) assert.ok(project < i, show(a));

  const { value } = await ctx.root.getProject(ctx.name);
  assert.is(value.config['limits.instances'], '5');
  const inside = ctx.root.withProject(ctx.name);
  assert.equal(
    (await inside.listInstances()).map((i) => i.name),
    ['c1'],
  );
  assert.is((await inside.getProfile('default')).value.devices.root?.pool, 'default');

  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as { project: string; resources: Record<string, unknown> };
  assert.is(state.project, ctx.name);
  assert.ok(`project.${ctx.name}` in state.resources);

  const again = await run('lxplan', ['--detailed-exitcode', ctx.m.dir]);
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('limits.instances changes live, in place', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { limit: '7' }) });
  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  ~ project ${ctx.name} (live)
      ~ config.limits.instances: 5 -> 7 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ['--auto-approve', ctx.m.dir]);
  assert.is(a.code, 0, show(a));
  assert.is((await ctx.root.getProject(ctx.name)).value.config['limits.instances'], '7');
  // The features LXD filled in are sent back: still on.
  assert.is((await ctx.root.getProject(ctx.name)).value.config['features.storage.volumes'], 'true');
  const again = await run('lxplan', [ctx.m.dir]);
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a feature change of the project holding c1 is refused at plan time, saying why; LXD would refuse it too', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { limit: '7', images: 'false' }) });
  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 1, show(p));
  assert.match(
    p.stderr,
    `project "${ctx.name}": config.features.images cannot change: ${DAEMON_WORD} changes features.images only while the project is empty, and project "${ctx.name}" holds instance "c1"`,
  );
  // What the plan claims, checked against the daemon itself.
  const { value, etag } = await ctx.root.getProject(ctx.name);
  const refused = await ctx.root
    .updateProject(ctx.name, { description: value.description, config: { ...value.config, 'features.images': 'false' } }, etag)
    .then(
      () => undefined,
      (e: Error) => e,
    );
  assert.match(refused?.message ?? 'accepted', 'cannot be disabled on non-empty projects');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { limit: '7' }) });
});

it('the state is tied to its project: another project with the same state file is refused; --project differing from project: too', async (ctx) => {
  const other = await mkdtemp(path.join(tmpdir(), 'lxplan-it-'));
  try {
    await writeFile(path.join(other, 'lxplan.yaml'), 'profiles:\n  small: {}\n');
    await copyFile(path.join(ctx.m.dir, 'lxplan.state.json'), path.join(other, 'lxplan.state.json'));
    const s = await run('lxplan', ['--project', 'default', other]);
    assert.is(s.code, 1, show(s));
    assert.match(s.stderr, `lxplan.state.json is for LXD project "${ctx.name}", not "default"`);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
  const f = await run('lxplan', [ctx.m.dir], { LXPLAN_PROJECT: 'default' });
  assert.is(f.code, 1, show(f));
  assert.match(f.stderr, `--project (or LXPLAN_PROJECT) says "default" and the manifests say project: ${ctx.name} at `);
});

it('an object lxplan does not manage blocks deleting the project: the plan says so; --destroy then deletes everything, the project last', async (ctx) => {
  const inside = ctx.root.withProject(ctx.name);
  await inside.createProfile({ name: 'hand-made' });
  const blocked = await run('lxplan', ['--destroy', ctx.m.dir]);
  assert.is(blocked.code, 1, show(blocked));
  assert.match(
    blocked.stderr,
    `project "${ctx.name}" cannot be deleted: profile "hand-made" is in it (LXD deletes only empty projects) and is not managed by lxplan`,
  );
  await inside.deleteProfile('hand-made');

  const d = await run('lxapply', ['--destroy', '--auto-approve', '--allow-delete', ctx.m.dir]);
  assert.is(d.code, 0, show(d));
  const [instance, project] = order(d.stdout, ['instance c1: deleted', `project ${ctx.name}: deleted`]);
  assert.ok(instance < project, show(d));
  const gone = await ctx.root.getProject(ctx.name).then(
    () => false,
    (e) => isNotFound(e),
  );
  assert.ok(gone, 'the project is gone from LXD');
});

it('a scope project that neither exists nor is declared is an error at the project: key', async (ctx) => {
  const m = await manifestDir({
    'lxplan.yaml': `project: ${ctx.name}-none\nimages:\n  busybox:\n    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}\n`,
  });
  try {
    const p = await run('lxplan', [m.dir]);
    assert.is(p.code, 1, show(p));
    assert.match(p.stderr, `lxplan.yaml:1:10: LXD project "${ctx.name}-none" does not exist`);
    assert.match(p.stderr, 'declare it under projects:');
  } finally {
    await m.cleanup();
  }
});

it.run();
