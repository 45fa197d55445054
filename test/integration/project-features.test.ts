/**
 * Objects of a project that lacks the matching features.*, end to end against the real LXD
 * daemon, through the CLI (issue 10, items 2-4). A project without features.profiles keeps its
 * profiles in the default project, and likewise features.networks and features.storage.volumes:
 * lxplan must create them there (not with ?project=P before P exists), delete them there (not
 * after P is gone, where LXD answers 404 "Project not found"), and order them against the
 * project accordingly.
 *
 * The projects are made by lxplan itself (projects: in the manifests), with the harness's owner
 * keys; they, and the networks, are global objects with unique names, claimed by a harness
 * project so that a sweep after a crash deletes them. The profiles and volumes land in the
 * default project: they get unique names too and are deleted by name in `after`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import { countingSocket, manifestDir, run, show } from './cli.js';
import { purgeProject, TEST_PREFIX, throwawayProject, NO_CHANGES } from './harness.js';

type Ctx = {
  anchor: Awaited<ReturnType<typeof throwawayProject>>;
  root: LxdClient;
  s: string;
  /** Scenario of items 2 and 3: nothing of its own but instances. */
  p: string;
  net: string;
  subnet: string;
  profile: string;
  volume: string;
  m: Awaited<ReturnType<typeof manifestDir>>;
  /** Scenario of item 4: profiles of its own, networks in the default project; its default profile uses one. */
  q: string;
  qnet: string;
  qsubnet: string;
  mq: Awaited<ReturnType<typeof manifestDir>>;
};
const it = suite<Ctx>('objects of a project without features.*: made, read and deleted where LXD keeps them');

const owner = () =>
  [
    `      user.lxplan.test.host: "${hostname()}"`,
    `      user.lxplan.test.pid: "${process.pid}"`,
    `      user.lxplan.test.created: "${new Date().toISOString()}"`,
  ].join('\n');

/** A random 10.2xx.x.0/24 prefix (as network-storage.test.ts), so parallel runs do not collide. */
function subnet(): string {
  const b = randomBytes(2);
  return `10.${200 + (b[0] % 50)}.${b[1]}`;
}

const exists = (read: () => Promise<unknown>) =>
  read().then(
    () => true,
    (e) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );

it.before(async (ctx) => {
  ctx.s = randomBytes(3).toString('hex');
  ctx.root = new LxdClient();
  ctx.p = `${TEST_PREFIX}-pf-${ctx.s}`;
  ctx.q = `${TEST_PREFIX}-pq-${ctx.s}`;
  ctx.net = `lxpf${ctx.s}`;
  ctx.qnet = `lxpq${ctx.s}`;
  ctx.subnet = subnet();
  do ctx.qsubnet = subnet();
  while (ctx.qsubnet === ctx.subnet);
  ctx.profile = `lxplan-test-pf-${ctx.s}`;
  ctx.volume = `lxplan-test-pf-${ctx.s}`;
  ctx.anchor = await throwawayProject();
  for (const n of [ctx.net, ctx.qnet]) await ctx.anchor.claim('network', n);
  for (const n of [ctx.p, ctx.q]) await ctx.anchor.claim('project', n);
  ctx.m = await manifestDir({
    'lxplan.yaml': `project: ${ctx.p}
projects:
  ${ctx.p}:
    config:
      features.profiles: "false"
      features.networks: "false"
      features.storage.volumes: "false"
${owner()}
profiles:
  ${ctx.profile}:
    config: {limits.memory: 64MB}
networks:
  ${ctx.net}:
    config: {ipv4.address: ${ctx.subnet}.1/24, ipv4.nat: "true", ipv6.address: none}
storage_volumes:
  default/${ctx.volume}:
    size: 16MB
`,
  });
  ctx.mq = await manifestDir({
    'lxplan.yaml': `project: ${ctx.q}
projects:
  ${ctx.q}:
    config:
      features.networks: "false"
${owner()}
networks:
  ${ctx.qnet}:
    config: {ipv4.address: ${ctx.qsubnet}.1/24, ipv4.nat: "true", ipv6.address: none}
profiles:
  default:
    devices:
      root: {type: disk, path: /, pool: default}
      eth0: {type: nic, network: ${ctx.qnet}, name: eth0}
`,
  });
});

it.after(async (ctx) => {
  const gone = (e: unknown) => {
    if (!isNotFound(e)) throw e;
  };
  try {
    for (const p of [ctx.p, ctx.q]) if (p) await purgeProject(ctx.root, p);
    if (ctx.profile) await ctx.root.deleteProfile(ctx.profile).catch(gone);
    if (ctx.volume) await ctx.root.deleteCustomVolume('default', ctx.volume).catch(gone);
    for (const n of [ctx.net, ctx.qnet]) if (n) await ctx.root.deleteNetwork(n).catch(gone);
    await ctx.anchor?.cleanup();
  } finally {
    ctx.root?.close();
    await ctx.m?.cleanup();
    await ctx.mq?.cleanup();
  }
});

it('the plan says where each object will live: the default project', async (ctx) => {
  const p = await run('lxplan', [ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.match(p.stdout, `  + profile ${ctx.profile} (in project default)\n`);
  assert.match(p.stdout, `  + network ${ctx.net} (in project default)\n`);
  assert.match(p.stdout, `  + storage_volume default/${ctx.volume} (in project default)\n`);
  assert.match(p.stdout, `  + project ${ctx.p}\n`);
  const j = await run('lxplan', ['--json', ctx.m.dir]);
  assert.is(j.code, 0, show(j));
  const doc = JSON.parse(j.stdout) as { changes: Array<{ address: string; project?: string; depends_on?: string[] }> };
  const by = Object.fromEntries(doc.changes.map((c) => [c.address, c]));
  for (const a of [`profile.${ctx.profile}`, `network.${ctx.net}`, `storage_volume.default/${ctx.volume}`]) {
    assert.is(by[a]?.project, 'default', a);
    // It lives outside the project: it does not wait for it.
    assert.not.ok((by[a]?.depends_on ?? []).includes(`project.${ctx.p}`), a);
  }
  assert.is(by[`project.${ctx.p}`]?.project, undefined);
});

/** Requests for a profile, network or custom volume sent through project `p` (LXD then answers for the default project, or 404 while p does not exist). */
const throughProject = (requests: string[], p: string) =>
  requests.filter((r) => /^\w+ \/1\.0\/(profiles|networks|storage-pools\/[^/?]+\/volumes)/.test(r) && r.includes(`project=${p}`));

it('lxapply creates them in the default project, with no request in the project before it exists (item 3)', async (ctx) => {
  const proxy = await countingSocket();
  try {
    const a = await run('lxapply', ['--auto-approve', '--socket', proxy.path, ctx.m.dir]);
    assert.is(a.code, 0, show(a));
    assert.not.match(a.stdout + a.stderr, 'Project not found');
    // Made in the default project, never through P (which may not exist yet when they are sent).
    assert.equal(throughProject(proxy.requests, ctx.p), [], proxy.requests.join('\n'));
    for (const made of [`POST /1.0/profiles`, `POST /1.0/networks`, `POST /1.0/storage-pools/default/volumes/custom`]) {
      assert.ok(proxy.requests.includes(made), `${made} in:\n${proxy.requests.join('\n')}`);
    }
  } finally {
    await proxy.close();
  }
  assert.ok(await exists(() => ctx.root.getProject(ctx.p)));
  assert.ok(await exists(() => ctx.root.getProfile(ctx.profile)), 'profile in the default project');
  assert.ok(await exists(() => ctx.root.getNetwork(ctx.net)), 'network');
  assert.ok(await exists(() => ctx.root.getCustomVolume('default', ctx.volume)), 'volume in the default project');
  const again = await run('lxplan', ['--detailed-exitcode', ctx.m.dir]);
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('--destroy deletes them where they live, and the project: nothing is left in default or anywhere (item 2)', async (ctx) => {
  const p = await run('lxplan', ['--destroy', ctx.m.dir]);
  assert.is(p.code, 0, show(p));
  assert.match(p.stdout, `  - profile ${ctx.profile} (in project default)\n`);
  const proxy = await countingSocket();
  try {
    const d = await run('lxapply', ['--destroy', '--auto-approve', '--allow-delete', '--socket', proxy.path, ctx.m.dir]);
    assert.is(d.code, 0, show(d));
    assert.equal(throughProject(proxy.requests, ctx.p), [], proxy.requests.join('\n'));
  } finally {
    await proxy.close();
  }
  assert.not.ok(await exists(() => ctx.root.getProject(ctx.p)), 'project gone');
  assert.not.ok(await exists(() => ctx.root.getProfile(ctx.profile)), 'profile gone from the default project');
  assert.not.ok(await exists(() => ctx.root.getNetwork(ctx.net)), 'network gone');
  assert.not.ok(await exists(() => ctx.root.getCustomVolume('default', ctx.volume)), 'volume gone from the default project');
  // Nor in any other project (the list of every project's profiles and volumes).
  for (const project of (await ctx.root.listProjects()).map((x) => x.name)) {
    const c = ctx.root.withProject(project);
    assert.not.ok(
      (await c.listProfiles()).some((x) => x.name === ctx.profile),
      `profile in ${project}`,
    );
    assert.not.ok(
      (await c.listCustomVolumes('default')).some((x) => x.name === ctx.volume),
      `volume in ${project}`,
    );
  }
});

it('a delete in a project that does not exist is an error, not "already gone"', async (ctx) => {
  const missing = ctx.root.withProject(`${ctx.p}-none`);
  const e = await missing.deleteProfile('x').then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(e, 'LXD refused it');
  assert.is((e as { status?: number }).status, 404);
  assert.match(String((e as Error).message), 'Project not found');
  assert.not.ok(isNotFound(e), 'a missing project is not a missing object');
  const own = await ctx.root.deleteProject(`${ctx.p}-none`).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(isNotFound(own), 'the project itself missing is "gone"');
});

it('--destroy of a project whose default profile uses a network of the default project: the network goes after the project (item 4)', async (ctx) => {
  const a = await run('lxapply', ['--auto-approve', ctx.mq.dir]);
  assert.is(a.code, 0, show(a));
  const inQ = ctx.root.withProject(ctx.q);
  assert.is((await inQ.getProfile('default')).value.devices.eth0?.network, ctx.qnet);
  const p = await run('lxplan', ['--destroy', ctx.mq.dir]);
  assert.is(p.code, 0, show(p));
  const j = await run('lxplan', ['--destroy', '--json', ctx.mq.dir]);
  const doc = JSON.parse(j.stdout) as { changes: Array<{ address: string; depends_on?: string[] }> };
  const net = doc.changes.find((c) => c.address === `network.${ctx.qnet}`);
  assert.ok((net?.depends_on ?? []).includes(`project.${ctx.q}`), show(j));
  const d = await run('lxapply', ['--destroy', '--auto-approve', '--allow-delete', ctx.mq.dir]);
  assert.is(d.code, 0, show(d));
  assert.ok(d.stdout.indexOf(`project ${ctx.q}: deleted`) < d.stdout.indexOf(`network ${ctx.qnet}: deleted`), show(d));
  assert.not.ok(await exists(() => ctx.root.getProject(ctx.q)), 'project gone');
  assert.not.ok(await exists(() => ctx.root.getNetwork(ctx.qnet)), 'network gone');
});

it.run();
