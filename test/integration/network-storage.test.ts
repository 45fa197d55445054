/**
 * Networks, storage pools and custom volumes end to end, against the real LXD daemon, through the
 * CLI. The instances live in a throwaway project; networks and pools are global (the project has
 * no features.networks) and so are its custom volumes (no features.storage.volumes: they are the
 * default project's), so every one of them gets a unique name and is deleted in `after`, by name:
 * nothing this suite did not make is touched.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import type { State } from '../../src/state/model.js';
import { manifestDir, run, show } from './cli.js';
import { DAEMON_WORD, NO_CHANGES, testImage, throwawayProject } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  /** Unique names of the global objects this suite makes. */
  net: string;
  adopted: string;
  pool: string;
  source: string;
  subnet: string;
};
const it = suite<Ctx>('networks, storage pools and custom volumes end to end');

const gone = (e: unknown) => {
  if (!isNotFound(e)) throw e;
};

function manifest(
  ctx: Ctx,
  parts: { dns?: string; network?: boolean; volume?: boolean; pool?: boolean; instance?: 'all' | 'root-only' | 'none' } = {},
): string {
  const { dns = 'lab', network = true, volume = true, pool = true, instance = 'all' } = parts;
  const devices =
    instance === 'all'
      ? `      eth0: {type: nic, network: ${ctx.net}, limits.ingress: 10Mbit}
      data: {type: disk, pool: ${ctx.pool}, source: data, path: /data}
      root: {type: disk, path: /, pool: ${ctx.pool}}`
      : `      root: {type: disk, path: /, pool: ${ctx.pool}}`;
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
${
  network
    ? `networks:
  ${ctx.net}:
    config: {ipv4.address: ${ctx.subnet}.1/24, ipv4.nat: "true", ipv4.dhcp.ranges: ${ctx.subnet}.100-${ctx.subnet}.200, dns.domain: ${dns}}
`
    : ''
}${
    pool
      ? `storage_pools:
  ${ctx.pool}:
    driver: dir
    config: {source: ${ctx.source}}
`
      : ''
  }${
    volume
      ? `storage_volumes:
  ${ctx.pool}/data:
    size: 64MB
`
      : ''
  }${
    instance !== 'none'
      ? `instances:
  web-1:
    image: busybox
    devices:
${devices}
    limits: {disk: 1GB}
`
      : ''
  }`;
}

it.before(async (ctx) => {
  const s = randomBytes(3).toString('hex');
  ctx.net = `lxpn${s}`;
  ctx.adopted = `lxpa${s}`;
  ctx.pool = `lxplan-test-${s}`;
  ctx.subnet = `10.${200 + (parseInt(s.slice(0, 2), 16) % 50)}.${parseInt(s.slice(2, 4), 16)}`;
  ctx.project = await throwawayProject();
  // Global objects: a sweep after a crash of this run deletes them with the project.
  for (const n of [ctx.net, ctx.adopted]) await ctx.project.claim('network', n);
  await ctx.project.claim('storage_pool', ctx.pool);
  ctx.image = await testImage();
  ctx.source = await mkdtemp(path.join(tmpdir(), 'lxplan-test-pool-'));
  // mkdtemp makes it 0700: unprivileged containers on the pool then fail to start (LXD leaves the mode as it is).
  await chmod(ctx.source, 0o711);
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  // Instances first (the project), then what they used: only the names this suite made.
  const root = new LxdClient();
  try {
    await ctx.project?.cleanup();
    if (ctx.pool) {
      for (const v of await root.listCustomVolumes(ctx.pool).catch((e) => {
        gone(e);
        return [];
      }))
        await root.deleteCustomVolume(ctx.pool, v.name).catch(gone);
      await root.deleteStoragePool(ctx.pool).catch(gone);
    }
    for (const n of [ctx.net, ctx.adopted]) if (n) await root.deleteNetwork(n).catch(gone);
  } finally {
    root.close();
    if (ctx.source) await rm(ctx.source, { recursive: true, force: true });
    await ctx.m?.cleanup();
  }
});

it('lxapply makes the pool, the bridge and the volume first, then the instance attached to all three; then No changes.', async (ctx) => {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  + storage_pool ${ctx.pool}
      + driver:        dir
      + config.source: ${ctx.source}
  + network ${ctx.net} (in project default)
      + type:                    bridge
      + config.dns.domain:       lab
      + config.ipv4.address:     ${ctx.subnet}.1/24
      + config.ipv4.dhcp.ranges: ${ctx.subnet}.100-${ctx.subnet}.200
      + config.ipv4.nat:         true
  + storage_volume ${ctx.pool}/data (in project default)
      + content_type: filesystem
      + config.size:  64MB (not enforced unless the filesystem of dir pool "${ctx.pool}" has project quotas: LXD stores the size and skips the quota)
  + image busybox
      + fingerprint: ${ctx.image.fingerprint.slice(0, 12)}
      + public:      false
  + instance web-1
      + image:                       busybox
      + type:                        container
      + profiles:                    [default]
      + state:                       running
      + devices.data.path:           /data
      + devices.data.pool:           ${ctx.pool}
      + devices.data.source:         data
      + devices.data.type:           disk
      + devices.eth0.limits.ingress: 10Mbit
      + devices.eth0.network:        ${ctx.net}
      + devices.eth0.type:           nic
      + devices.root.path:           /
      + devices.root.pool:           ${ctx.pool}
      + devices.root.size:           1GB (not enforced unless the filesystem of dir pool "${ctx.pool}" has project quotas: LXD stores the size and skips the quota)
      + devices.root.type:           disk

Plan: 5 to add, 0 to change, 0 to destroy.
`,
    show(p),
  );

  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.ok(a.stdout.includes(`Apply complete: 5 created in ${DAEMON_WORD}.`), show(a));
  // The instance is made last: after everything it uses.
  const done = a.stdout
    .split('\n')
    .filter((l) => / created \(/.test(l))
    .map((l) => l.split(':')[0]);
  assert.is(done[done.length - 1], 'instance web-1', show(a));
  assert.ok(done.indexOf(`storage_pool ${ctx.pool}`) < done.indexOf(`storage_volume ${ctx.pool}/data`), show(a));

  const root = new LxdClient();
  try {
    const net = (await root.getNetwork(ctx.net)).value;
    assert.is(net.managed, true);
    assert.is(net.config['dns.domain'], 'lab');
    // LXD gave the bridge an IPv6 subnet of its own: a key the manifest leaves to LXD.
    assert.match(net.config['ipv6.address'] ?? '', /\/64$/);
    assert.is((await root.getStoragePool(ctx.pool)).value.config.source, ctx.source);
    assert.is((await root.getCustomVolume(ctx.pool, 'data')).value.config.size, '64MB');
  } finally {
    root.close();
  }
  const inst = (await ctx.project.client.getInstance('web-1')).value;
  assert.equal(inst.devices.data, { type: 'disk', pool: ctx.pool, source: 'data', path: '/data' });
  assert.is(inst.devices.eth0.network, ctx.net);
  assert.is((await ctx.project.client.getInstanceState('web-1')).status, 'Running');

  const again = await run('lxplan', ctx.args());
  assert.is(again.code, 0, show(again));
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a network config change is applied live, and what LXD filled in stays', async (ctx) => {
  const root = new LxdClient();
  try {
    const ipv6 = (await root.getNetwork(ctx.net)).value.config['ipv6.address'];
    await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { dns: 'lab2' }) });
    const p = await run('lxplan', ctx.args());
    assert.is(
      p.stdout,
      `lxplan will make these changes:

  ~ network ${ctx.net} (in project default; live)
      ~ config.dns.domain: lab -> lab2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
      show(p),
    );
    const a = await run('lxapply', ctx.args('--auto-approve'));
    assert.is(a.code, 0, show(a));
    const net = (await root.getNetwork(ctx.net)).value;
    assert.is(net.config['dns.domain'], 'lab2');
    assert.is(net.config['ipv6.address'], ipv6);
    const again = await run('lxplan', ctx.args());
    assert.is(again.stdout, NO_CHANGES, show(again));
  } finally {
    root.close();
  }
});

it('an existing network not in state is a conflict; lxplan import adopts it; the default pool is adopted as built-in', async (ctx) => {
  const root = new LxdClient();
  try {
    await root.createNetwork({ name: ctx.adopted, type: 'bridge', config: { 'ipv4.address': 'none', 'ipv6.address': 'none' } });
  } finally {
    root.close();
  }
  const extra = `  ${ctx.adopted}:
    config: {ipv4.address: none, ipv6.address: none}
`;
  // The second network joins the networks: section.
  const text = manifest(ctx, { dns: 'lab2' }).replace(/(networks:\n(?: {2,}.*\n)+)/, `$1${extra}`);
  await ctx.m.write({ 'lxplan.yaml': text });
  const conflict = await run('lxplan', ctx.args());
  assert.is(conflict.code, 1, show(conflict));
  assert.match(
    conflict.stderr,
    new RegExp(`lxplan\\.yaml:\\d+:3: network "${ctx.adopted}" already exists in LXD and is not managed by lxplan; it will not be overwritten`),
  );

  const imported = await run('lxplan', ['import', 'network', ctx.adopted, ctx.m.dir, '--project', ctx.project.name]);
  assert.is(imported.code, 0, show(imported));
  assert.is(imported.stdout, NO_CHANGES, show(imported));
  assert.is(imported.stderr, `Imported network ${ctx.adopted}: lxplan manages it now.\n`, show(imported));

  // The default pool: declared, it is adopted without a change (its source stays LXD's).
  await ctx.m.write({ 'lxplan.yaml': text.replace('storage_pools:\n', 'storage_pools:\n  default:\n    driver: dir\n') });
  const adopt = await run('lxplan', ctx.args());
  assert.is(
    adopt.stdout,
    `State only (${DAEMON_WORD} is not touched):
  storage_pool default: built-in storage_pool: lxplan starts managing it

${NO_CHANGES}`,
    show(adopt),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as State;
  assert.equal(
    Object.keys(state.resources).sort(),
    [
      'image.busybox',
      'instance.web-1',
      `network.${ctx.adopted}`,
      `network.${ctx.net}`,
      'storage_pool.default',
      `storage_pool.${ctx.pool}`,
      `storage_volume.${ctx.pool}/data`,
    ].sort(),
  );
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('detaching: the instance leaves the bridge and the volume, which are deleted after it (and only with --allow-delete)', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { network: false, volume: false, instance: 'root-only' }) });
  const p = await run('lxplan', ctx.args());
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  - network ${ctx.adopted} (in project default)
  - network ${ctx.net} (in project default)
  - storage_volume ${ctx.pool}/data (in project default)
  ~ instance web-1 (live)
      - devices.data.path:           /data (live)
      - devices.data.pool:           ${ctx.pool} (live)
      - devices.data.source:         data (live)
      - devices.data.type:           disk (live)
      - devices.eth0.limits.ingress: 10Mbit (live)
      - devices.eth0.network:        ${ctx.net} (live)
      - devices.eth0.type:           nic (live)

State only (${DAEMON_WORD} is not touched):
  storage_pool default: no longer in the manifests: lxplan stops managing this built-in storage_pool and leaves it as it is

Plan: 0 to add, 1 to change, 3 to destroy.
`,
    show(p),
  );
  const refused = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(refused.code, 1, show(refused));
  assert.ok(refused.stderr.includes(`Error: the plan destroys storage volume ${ctx.pool}/data (deleted): their disks would be lost`), show(refused));

  const before = await ctx.project.client.getInstanceState('web-1');
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(a.code, 0, show(a));
  const lines = a.stdout.split('\n').map((l) => l.split(':')[0]);
  assert.ok(lines.indexOf('instance web-1') < lines.indexOf(`network ${ctx.net}`), show(a));
  assert.ok(lines.indexOf('instance web-1') < lines.indexOf(`storage_volume ${ctx.pool}/data`), show(a));
  const after = await ctx.project.client.getInstanceState('web-1');
  assert.is(after.pid, before.pid, 'detached live: the container was not restarted');
  const root = new LxdClient();
  try {
    for (const n of [ctx.net, ctx.adopted])
      assert.ok(
        await root.getNetwork(n).then(
          () => false,
          (e) => isNotFound(e),
        ),
        `network ${n} is gone`,
      );
    assert.equal(await root.listCustomVolumes(ctx.pool), []);
  } finally {
    root.close();
  }
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('removing the instance and its pool deletes the instance first, then the pool', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { network: false, volume: false, pool: false, instance: 'none' }) });
  const p = await run('lxplan', ctx.args());
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  - storage_pool ${ctx.pool}
  - instance web-1

Plan: 0 to add, 0 to change, 2 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve', '--allow-delete'));
  assert.is(a.code, 0, show(a));
  const lines = a.stdout.split('\n').map((l) => l.split(':')[0]);
  assert.ok(lines.indexOf('instance web-1') < lines.indexOf(`storage_pool ${ctx.pool}`), show(a));
  const root = new LxdClient();
  try {
    assert.ok(
      await root.getStoragePool(ctx.pool).then(
        () => false,
        (e) => isNotFound(e),
      ),
      'the pool is gone',
    );
    assert.is((await root.getStoragePool('default')).value.name, 'default', 'the default pool is never touched');
  } finally {
    root.close();
  }
});

it('lxplan export writes a network, a pool and a volume made by hand; imported, they plan No changes.', async (ctx) => {
  const net = `${ctx.net}e`;
  const pool = `${ctx.pool}-e`;
  await ctx.project.claim('network', net);
  await ctx.project.claim('storage_pool', pool);
  const source = await mkdtemp(path.join(tmpdir(), 'lxplan-test-export-pool-'));
  const root = new LxdClient();
  const m = await manifestDir({});
  try {
    await chmod(source, 0o711);
    await root.createNetwork({
      name: net,
      type: 'bridge',
      description: 'by hand',
      config: { 'ipv4.address': 'none', 'ipv6.address': 'none', 'user.owner': 'ops' },
    });
    await root.createStoragePool({ name: pool, driver: 'dir', config: { source } });
    await root.createCustomVolume(pool, { name: 'data', content_type: 'filesystem', description: 'kept', config: { 'user.owner': 'ops' } });

    const files: Record<string, string> = {};
    for (const [kind, name] of [
      ['network', net],
      ['storage_pool', pool],
      ['storage_volume', `${pool}/data`],
    ]) {
      const e = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', kind, '--name', name]);
      assert.is(e.code, 0, show(e));
      files[`${kind}.yaml`] = e.stdout;
    }
    assert.match(
      files['network.yaml'],
      `networks:\n  ${net}:\n    description: by hand\n    config:\n      ipv4.address: none\n      ipv6.address: none\n      user.owner: ops\n`,
    );
    assert.match(files['storage_pool.yaml'], `storage_pools:\n  ${pool}:\n    driver: dir\n    config:\n      source: ${source}\n`);
    assert.match(files['storage_volume.yaml'], `storage_volumes:\n  ${pool}/data:\n    description: kept\n    config:\n      user.owner: ops\n`);
    await m.write(files);
    for (const [kind, name] of [
      ['network', net],
      ['storage_pool', pool],
      ['storage_volume', `${pool}/data`],
    ]) {
      const imp = await run('lxplan', ['import', kind, name, m.dir, '--project', ctx.project.name]);
      assert.is(imp.code, 0, show(imp));
    }
    const p = await run('lxplan', ['--project', ctx.project.name, m.dir]);
    assert.is(p.stdout, NO_CHANGES, show(p));
  } finally {
    root.close();
    await m.cleanup();
  }
});

it.run();
