/**
 * Network ACLs end to end, against the real LXD daemon, through the CLI: an ACL and a bridge
 * applying it are made in that order, a rule changed reaches the firewall at once (the running
 * container is not restarted), a reference to an ACL that exists nowhere is refused, renames
 * (in place while unused; by a new name while in use, which LXD would refuse to rename), deletes
 * after the users let go (LXD refuses to delete an ACL in use, so the order is proven by LXD
 * itself), export and import, and --destroy.
 *
 * The instance lives in a throwaway project without features.networks: on LXD 5.0 a bridge
 * exists only in the default project, and its ACLs live where it does. So the bridge and the
 * ACLs are the default project's: each gets a unique name, is claimed before it is made (a sweep
 * after a crash deletes it) and is deleted by name in `after`; nothing this suite did not make is
 * touched. A NIC's own security.acls is taken by OVN NICs only on LXD 5.0.2 (a bridged NIC is
 * refused "Invalid device option"), and there is no OVN here: its ordering and checks are in the
 * planner tests (test/planner/network-acl.test.ts); here the plan of one is checked.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNotFound, LxdClient } from '../../src/lxd/client.js';
import type { State } from '../../src/state/model.js';
import { manifestDir, run, show } from './cli.js';
import { TEST_DAEMON, testImage, throwawayProject, NO_CHANGES } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  /** Unique names of the default project's objects this suite makes. */
  net: string;
  web: string;
  renamed: string;
  spare: string;
  byHand: string;
  subnet: string;
};
const it = suite<Ctx>('network ACLs end to end');

const gone = (e: unknown) => {
  if (!isNotFound(e)) throw e;
};

interface Parts {
  /** The ACL's name, and its renamed_from. */
  acl?: { name: string; renamedFrom?: string } | null;
  port?: string;
  /** What the bridge's security.acls names (none: the key is left out). */
  uses?: string;
  /** A second, unused ACL (name, renamed_from). */
  spare?: { name: string; renamedFrom?: string };
  network?: boolean;
}

function manifest(ctx: Ctx, parts: Parts = {}): string {
  const { acl = { name: ctx.web }, port = '80', uses = acl?.name, spare, network = true } = parts;
  const acls = [
    acl
      ? `  ${acl.name}:
${acl.renamedFrom ? `    renamed_from: ${acl.renamedFrom}\n` : ''}    description: web servers
    ingress:
      - {action: allow, protocol: tcp, destination_port: "${port}"}
      - {action: allow, protocol: icmp4, icmp_type: 8}
    egress:
      - {action: drop, destination: 10.0.0.0/8, state: logged, description: no LAN}
      - {action: allow}
`
      : '',
    spare
      ? `  ${spare.name}:
${spare.renamedFrom ? `    renamed_from: ${spare.renamedFrom}\n` : ''}    ingress:
      - {action: reject, protocol: udp}
`
      : '',
  ].join('');
  return `images:
  busybox:
    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}
${acls ? `network_acls:\n${acls}` : ''}${
    network
      ? `networks:
  ${ctx.net}:
    config: {ipv4.address: ${ctx.subnet}.1/24, ipv4.nat: "true", ipv6.address: none${uses ? `, security.acls: "${uses}"` : ''}}
instances:
  web-1:
    image: busybox
    devices:
      eth0: {type: nic, network: ${ctx.net}}
`
      : ''
  }`;
}

/** The bridge's ACL chain as the kernel has it (nftables), or undefined where nft is missing. */
function firewall(bridge: string): string | undefined {
  const p = spawnSync('nft', ['list', 'chain', 'inet', TEST_DAEMON, `acl.${bridge}`], { encoding: 'utf8' });
  return p.error ? undefined : p.stdout;
}

const exists = (read: Promise<unknown>) =>
  read.then(
    () => true,
    (e) => {
      gone(e);
      return false;
    },
  );

it.before(async (ctx) => {
  const s = randomBytes(3).toString('hex');
  ctx.net = `lxpn${s}`;
  ctx.web = `lxpacl-${s}`;
  ctx.renamed = `lxpacl-${s}-www`;
  ctx.spare = `lxpacl-${s}-spare`;
  ctx.byHand = `lxpacl-${s}-hand`;
  ctx.subnet = `10.${200 + (parseInt(s.slice(0, 2), 16) % 50)}.${parseInt(s.slice(2, 4), 16)}`;
  ctx.project = await throwawayProject();
  // The default project's objects: a sweep after a crash of this run deletes them with the project.
  await ctx.project.claim('network', ctx.net);
  for (const n of [ctx.web, ctx.renamed, ctx.spare, `${ctx.spare}2`, ctx.byHand]) await ctx.project.claim('network_acl', n);
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  // The instance first (the project), then the bridge, then the ACLs it used: only the names this suite made.
  const root = new LxdClient();
  try {
    await ctx.project?.cleanup();
    if (ctx.net) await root.deleteNetwork(ctx.net).catch(gone);
    for (const n of [ctx.web, ctx.renamed, ctx.spare, `${ctx.spare}2`, ctx.byHand]) if (n) await root.deleteNetworkAcl(n).catch(gone);
  } finally {
    root.close();
    await ctx.m?.cleanup();
  }
});

it('lxapply makes the ACL first, then the bridge applying it, then the container on it; then No changes.', async (ctx) => {
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  + network_acl ${ctx.web} (in project default)
      + description: web servers
      + egress:      [drop to 10.0.0.0/8 (logged) "no LAN"; allow]
      + ingress:     [allow tcp to :80; allow icmp4 icmp 8/*]
  + network ${ctx.net} (in project default)
      + type:                 bridge
      + config.ipv4.address:  ${ctx.subnet}.1/24
      + config.ipv4.nat:      true
      + config.ipv6.address:  none
      + config.security.acls: ${ctx.web}
  + image busybox
      + fingerprint: ${ctx.image.fingerprint.slice(0, 12)}
      + public:      false
  + instance web-1
      + image:                busybox
      + type:                 container
      + profiles:             [default]
      + state:                running
      + devices.eth0.network: ${ctx.net}
      + devices.eth0.type:    nic

Plan: 4 to add, 0 to change, 0 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const done = a.stdout
    .split('\n')
    .filter((l) => / created \(/.test(l))
    .map((l) => l.split(':')[0]);
  assert.ok(done.indexOf(`network_acl ${ctx.web}`) < done.indexOf(`network ${ctx.net}`), show(a));

  const root = new LxdClient();
  try {
    const acl = (await root.getNetworkAcl(ctx.web)).value;
    assert.is(acl.description, 'web servers');
    // state: LXD 5.0.2 has no default for it: lxplan sent enabled.
    assert.equal(
      acl.ingress.map((r) => [r.action, r.protocol, r.destination_port ?? '', r.state]),
      [
        ['allow', 'tcp', '80', 'enabled'],
        ['allow', 'icmp4', '', 'enabled'],
      ],
    );
    assert.equal(
      acl.egress.map((r) => [r.action, r.destination ?? '', r.state]),
      [
        ['drop', '10.0.0.0/8', 'logged'],
        ['allow', '', 'enabled'],
      ],
    );
    assert.equal(acl.used_by, [`/1.0/networks/${ctx.net}`]);
    assert.is((await root.getNetwork(ctx.net)).value.config['security.acls'], ctx.web);
  } finally {
    root.close();
  }
  const fw = firewall(ctx.net);
  if (fw !== undefined) assert.match(fw, /tcp dport 80 accept/, fw);
  assert.is((await ctx.project.client.getInstanceState('web-1')).status, 'Running');

  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a rule changed is applied live: the firewall changes at once and the container keeps running', async (ctx) => {
  const before = await ctx.project.client.getInstanceState('web-1');
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080' }) });
  const p = await run('lxplan', ctx.args());
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  ~ network_acl ${ctx.web} (in project default; live)
      ~ ingress: [allow tcp to :80; allow icmp4 icmp 8/*] -> [allow tcp to :8080; allow icmp4 icmp 8/*] (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const root = new LxdClient();
  try {
    assert.is((await root.getNetworkAcl(ctx.web)).value.ingress[0].destination_port, '8080');
  } finally {
    root.close();
  }
  const fw = firewall(ctx.net);
  if (fw !== undefined) {
    assert.match(fw, /tcp dport 8080 accept/, fw);
    assert.not.match(fw, /tcp dport 80 accept/, fw);
  }
  const after = await ctx.project.client.getInstanceState('web-1');
  assert.is(after.pid, before.pid, 'live: the container was not restarted');
  const again = await run('lxplan', ctx.args());
  assert.is(again.stdout, NO_CHANGES, show(again));
});

it('a bridge or a NIC naming an ACL that exists nowhere is refused before anything is sent', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080', uses: `${ctx.web},${ctx.web}x` }) });
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 1, show(p));
  assert.match(
    p.stderr,
    new RegExp(`lxplan\\.yaml:\\d+:\\d+: network "${ctx.net}" uses network acl "${ctx.web}x", which is neither in the manifests nor in LXD`),
    show(p),
  );
  assert.ok(p.stderr.includes(`did you mean "${ctx.web}"?`), show(p));
  // A NIC of its own (an OVN NIC's security.acls; LXD 5.0.2 takes it on no other NIC): checked the same way.
  const nic = manifest(ctx, { port: '8080' }).replace(
    `eth0: {type: nic, network: ${ctx.net}}`,
    `eth0: {type: nic, network: ${ctx.net}}\n      eth1: {type: nic, nictype: ovn, network: ${ctx.net}, security.acls: ${ctx.spare}}`,
  );
  await ctx.m.write({ 'lxplan.yaml': nic });
  const n = await run('lxplan', ctx.args());
  assert.is(n.code, 1, show(n));
  assert.match(
    n.stderr,
    new RegExp(`device "eth1" of instance "web-1" uses network acl "${ctx.spare}", which is neither in the manifests nor in LXD`),
    show(n),
  );
});

it('renamed_from: an unused ACL is renamed in place; one in use is refused, and a new name without renamed_from moves the bridge over', async (ctx) => {
  const root = new LxdClient();
  try {
    // An unused ACL, made and then renamed.
    await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080', spare: { name: ctx.spare } }) });
    assert.is((await run('lxapply', ctx.args('--auto-approve'))).code, 0);
    await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080', spare: { name: `${ctx.spare}2`, renamedFrom: ctx.spare } }) });
    const r = await run('lxplan', ctx.args());
    assert.is(
      r.stdout,
      `lxplan will make these changes:

  ~ network_acl ${ctx.spare}2 (in project default; renamed from ${ctx.spare}; live)
      ~ name: ${ctx.spare} -> ${ctx.spare}2 (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
      show(r),
    );
    const ra = await run('lxapply', ctx.args('--auto-approve'));
    assert.is(ra.code, 0, show(ra));
    assert.ok(await exists(root.getNetworkAcl(`${ctx.spare}2`)));
    assert.not.ok(await exists(root.getNetworkAcl(ctx.spare)));

    // The bridge's ACL: LXD renames an ACL only while nothing uses it.
    const spare = { name: `${ctx.spare}2` };
    await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080', spare, acl: { name: ctx.renamed, renamedFrom: ctx.web } }) });
    const refused = await run('lxplan', ctx.args());
    assert.is(refused.code, 1, show(refused));
    assert.ok(
      refused.stderr.includes(
        `network_acl "${ctx.renamed}": name cannot change: LXD renames an ACL only while nothing uses it, and network "${ctx.net}" uses it`,
      ),
      show(refused),
    );
    assert.ok(refused.stderr.includes('drop renamed_from'), show(refused));

    // Without renamed_from: the new ACL is made, the bridge moves to it, the old one goes (LXD would refuse it earlier).
    await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { port: '8080', spare, acl: { name: ctx.renamed } }) });
    const a = await run('lxapply', ctx.args('--auto-approve'));
    assert.is(a.code, 0, show(a));
    const lines = a.stdout.split('\n').map((l) => l.split(':')[0]);
    assert.ok(lines.indexOf(`network_acl ${ctx.renamed}`) < lines.indexOf(`network ${ctx.net}`), show(a));
    assert.ok(lines.indexOf(`network ${ctx.net}`) < lines.indexOf(`network_acl ${ctx.web}`), show(a));
    assert.not.ok(await exists(root.getNetworkAcl(ctx.web)));
    assert.is((await root.getNetwork(ctx.net)).value.config['security.acls'], ctx.renamed);
    const again = await run('lxplan', ctx.args());
    assert.is(again.stdout, NO_CHANGES, show(again));
  } finally {
    root.close();
  }
});

it('the bridge lets go of the ACL and the ACL is removed: deleted after the bridge changed', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { acl: null, uses: '', spare: { name: `${ctx.spare}2` } }) });
  const p = await run('lxplan', ctx.args());
  assert.is(
    p.stdout,
    `lxplan will make these changes:

  - network_acl ${ctx.renamed} (in project default)
  ~ network ${ctx.net} (in project default; live)
      - config.security.acls: ${ctx.renamed} (live)

Plan: 0 to add, 1 to change, 1 to destroy.
`,
    show(p),
  );
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const lines = a.stdout.split('\n').map((l) => l.split(':')[0]);
  assert.ok(lines.indexOf(`network ${ctx.net}`) < lines.indexOf(`network_acl ${ctx.renamed}`), show(a));
  const root = new LxdClient();
  try {
    assert.not.ok(await exists(root.getNetworkAcl(ctx.renamed)));
    assert.is((await root.getNetwork(ctx.net)).value.config['security.acls'], undefined);
  } finally {
    root.close();
  }
  const fw = firewall(ctx.net);
  if (fw !== undefined) assert.not.match(fw, /dport 8080/, fw);
});

it('lxplan export writes an ACL made by hand; imported, it plans No changes.', async (ctx) => {
  const root = new LxdClient();
  const m = await manifestDir({});
  try {
    await root.createNetworkAcl({
      name: ctx.byHand,
      description: 'by hand',
      config: { 'user.owner': 'ops' },
      ingress: [{ action: 'allow', state: 'enabled', protocol: 'tcp', source: '192.0.2.0/24', destination_port: '22' }],
      egress: [{ action: 'reject', state: 'disabled', protocol: 'udp', destination_port: '53' }],
    });
    const e = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'network_acl', '--name', ctx.byHand]);
    assert.is(e.code, 0, show(e));
    assert.match(
      e.stdout,
      `network_acls:
  ${ctx.byHand}:
    description: by hand
    ingress:
      - action: allow
        protocol: tcp
        source: 192.0.2.0/24
        destination_port: "22"
    egress:
      - action: reject
        protocol: udp
        destination_port: "53"
        state: disabled
    config:
      user.owner: ops
`,
    );
    await m.write({ 'lxplan.yaml': e.stdout });
    const imp = await run('lxplan', ['import', 'network_acl', ctx.byHand, m.dir, '--project', ctx.project.name]);
    assert.is(imp.code, 0, show(imp));
    assert.is(imp.stdout, NO_CHANGES, show(imp));
    const state = JSON.parse(await readFile(path.join(m.dir, 'lxplan.state.json'), 'utf8')) as State;
    assert.equal(Object.keys(state.resources), [`network_acl.${ctx.byHand}`]);
    // Changed outside lxplan: drift, then put back.
    const { etag } = await root.getNetworkAcl(ctx.byHand);
    await root.updateNetworkAcl(ctx.byHand, { description: 'by hand', config: { 'user.owner': 'ops' }, ingress: [], egress: [] }, etag);
    const drift = await run('lxplan', ['--project', ctx.project.name, m.dir]);
    assert.match(drift.stdout, /Changed outside lxplan/, show(drift));
    assert.match(drift.stdout, /\+ ingress: +\[allow tcp from 192\.0\.2\.0\/24 to :22\] \(live\)/, show(drift));
    const put = await run('lxapply', ['--project', ctx.project.name, '--auto-approve', m.dir]);
    assert.is(put.code, 0, show(put));
    assert.is((await root.getNetworkAcl(ctx.byHand)).value.ingress.length, 1);
    // Removed from the manifests: deleted (nothing uses it).
    await m.write({ 'lxplan.yaml': `project: ${ctx.project.name}\n` });
    const del = await run('lxapply', ['--project', ctx.project.name, '--auto-approve', m.dir]);
    assert.is(del.code, 0, show(del));
    assert.not.ok(await exists(root.getNetworkAcl(ctx.byHand)));
  } finally {
    root.close();
    await m.cleanup();
  }
});

it('--destroy deletes the container and the bridge before the ACL they used', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx, { acl: { name: ctx.web } }) });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const d = await run('lxapply', ctx.args('--destroy', '--auto-approve', '--allow-delete'));
  assert.is(d.code, 0, show(d));
  const lines = d.stdout.split('\n').map((l) => l.split(':')[0]);
  assert.ok(lines.indexOf(`network ${ctx.net}`) < lines.indexOf(`network_acl ${ctx.web}`), show(d));
  assert.ok(lines.indexOf('instance web-1') < lines.indexOf(`network ${ctx.net}`), show(d));
  const root = new LxdClient();
  try {
    for (const n of [ctx.web, `${ctx.spare}2`]) assert.not.ok(await exists(root.getNetworkAcl(n)), `network ACL ${n} is gone`);
    assert.not.ok(await exists(root.getNetwork(ctx.net)));
  } finally {
    root.close();
  }
});

it.run();
