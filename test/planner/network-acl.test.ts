/**
 * Network ACLs in the planner: rules compared as sets (LXD calls them order independent), every
 * change live, references from a network's and a NIC's `security.acls` (the ACL is made before
 * its users and deleted after they let go), a reference to an ACL that exists nowhere, a delete
 * LXD would refuse (still in use), and renames (refused while in use: LXD renames unused ACLs
 * only). Whole rendered plans, so wording and order changes show.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LxdNetworkAcl } from '../../src/lxd/types.js';
import { plan, type PlanInput } from '../../src/planner/index.js';
import type { DesiredNetworkAcl } from '../../src/resources/network-acl/types.js';
import type { Manifest } from '../../src/resources/types.js';
import type { LiveSnapshot } from '../../src/resources/spec.js';
import { dInstance, dImage, dNetwork, dProfile, lInstance, lImage, live, lNetwork, manifest, planError, render, state, FP_A } from './builders.js';

const at = { file: 'lxplan.yaml', line: 40, col: 3 };
const WEB_IN = [{ action: 'allow', state: 'enabled', protocol: 'tcp', destination_port: '80,443' }] as DesiredNetworkAcl['ingress'];
const WEB_OUT = [{ action: 'drop', state: 'logged', destination: '10.0.0.0/8', description: 'no LAN' }] as DesiredNetworkAcl['egress'];

function dAcl(name: string, extra: Partial<DesiredNetworkAcl> = {}): DesiredNetworkAcl {
  return { kind: 'network_acl', name, at, description: '', ingress: WEB_IN, egress: WEB_OUT, config: {}, ...extra };
}
/** As LXD returns it: every rule key there, empty when not set. */
function lAcl(name: string, extra: Partial<LxdNetworkAcl> = {}): LxdNetworkAcl {
  const full = (r: object) =>
    ({
      description: '',
      source: '',
      destination: '',
      protocol: '',
      source_port: '',
      destination_port: '',
      icmp_type: '',
      icmp_code: '',
      ...r,
    }) as LxdNetworkAcl['ingress'][number];
  return { name, description: '', ingress: WEB_IN.map(full), egress: WEB_OUT.map(full), config: {}, used_by: [], ...extra };
}
const withAcls = (m: Manifest, acls: DesiredNetworkAcl[]): Manifest => ({ ...m, networkAcls: Object.fromEntries(acls.map((a) => [a.name, a])) });
const withLiveAcls = (l: LiveSnapshot, acls: LxdNetworkAcl[]): LiveSnapshot => ({ ...l, networkAcls: Object.fromEntries(acls.map((a) => [a.name, a])) });
const dependsOn = (input: PlanInput, address: string) => plan(input).changes.find((c) => c.address === address)?.dependsOn;
const BRIDGE = { 'ipv4.address': '10.10.10.1/24', 'security.acls': 'web' };

test('an ACL and the bridge using it: the ACL is made first', () => {
  const input = {
    manifest: withAcls(manifest({ networks: [dNetwork('lxdbr1', { config: BRIDGE })] }), [dAcl('web', { description: 'web servers' })]),
    live: live(),
    state: state(),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + network_acl web
      + description: web servers
      + egress:      [drop to 10.0.0.0/8 (logged) "no LAN"]
      + ingress:     [allow tcp to :80,443]
  + network lxdbr1
      + type:                 bridge
      + config.ipv4.address:  10.10.10.1/24
      + config.security.acls: web

Plan: 2 to add, 0 to change, 0 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'network.lxdbr1'), ['network_acl.web']);
});

test('rules in another order, state enabled left out, spaces after commas: no changes', () => {
  const reordered = dAcl('web', { ingress: [...WEB_IN, { action: 'allow' as const, state: 'enabled' as const, protocol: 'icmp4', icmp_type: '8' }].reverse() });
  const lxd = lAcl('web', { ingress: [...lAcl('web').ingress, { action: 'allow', state: 'enabled', protocol: 'icmp4', icmp_type: '8', icmp_code: '' }] });
  const input = {
    manifest: withAcls(manifest(), [{ ...reordered, egress: [{ ...WEB_OUT[0], destination: '10.0.0.0/8' }] }]),
    live: withLiveAcls(live(), [lxd]),
    state: state('network_acl.web'),
  };
  assert.is(render(input), 'No changes. LXD matches the manifests.\n');
});

test('a rule changed: live, whatever uses the ACL (LXD rewrites the firewall at once)', () => {
  const input = {
    manifest: withAcls(manifest({ networks: [dNetwork('lxdbr1', { config: BRIDGE })] }), [
      dAcl('web', {
        ingress: [{ action: 'allow' as const, state: 'enabled' as const, protocol: 'tcp', destination_port: '8080' }],
        config: { 'user.owner': 'ops' },
      }),
    ]),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr1', { config: BRIDGE })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr1'] })]),
    state: state('network_acl.web', 'network.lxdbr1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ network_acl web (live)
      + config.user.owner: ops (live)
      ~ ingress:           [allow tcp to :80,443] -> [allow tcp to :8080] (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('the bridge lets go of the ACL and the ACL goes: the delete waits for the bridge', () => {
  const input = {
    manifest: manifest({ networks: [dNetwork('lxdbr1', { config: { 'ipv4.address': '10.10.10.1/24' } })] }),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr1', { config: BRIDGE })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr1'] })]),
    state: state('network_acl.web', 'network.lxdbr1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - network_acl web
  ~ network lxdbr1 (live)
      - config.security.acls: web (live)

Plan: 0 to add, 1 to change, 1 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'network_acl.web'), ['network.lxdbr1']);
});

test('--destroy: the bridge goes before its ACL', () => {
  const input = {
    manifest: withAcls(manifest({ networks: [dNetwork('lxdbr1', { config: BRIDGE })] }), [dAcl('web')]),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr1', { config: BRIDGE })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr1'] })]),
    state: state('network_acl.web', 'network.lxdbr1'),
    options: { destroy: true },
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - network_acl web
  - network lxdbr1

Plan: 0 to add, 0 to change, 2 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'network_acl.web'), ['network.lxdbr1']);
});

test('an ACL still used by a network lxplan does not manage cannot be deleted', () => {
  const input = {
    manifest: manifest(),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr9', { config: { 'security.acls': 'web' } })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr9'] })]),
    state: state('network_acl.web'),
  };
  const e = planError(input);
  assert.is(e.message, 'network_acl "web" cannot be deleted: network "lxdbr9" uses it and is not managed by lxplan');
  assert.is(e.hint, 'detach it from network "lxdbr9" first, or keep it in the manifests');
});

test('a network or a NIC naming an ACL that exists nowhere: one located error each, with a did-you-mean', () => {
  const input = {
    manifest: withAcls(
      manifest({
        images: [dImage('busybox')],
        networks: [
          dNetwork('lxdbr1', { config: { 'security.acls': 'web,wbe' }, keyAt: { 'config.security.acls': { file: 'lxplan.yaml', line: 21, col: 22 } } }),
        ],
        instances: [dInstance('web-1', { devices: { eth0: { type: 'nic', nictype: 'ovn', network: 'ovn1', 'security.acls': 'sshh' } } })],
      }),
      [dAcl('web'), dAcl('ssh')],
    ),
    live: live({ networks: [lNetwork('ovn1', { type: 'ovn' })] }),
    state: state(),
  };
  const e = planError(input);
  assert.equal(
    [e, ...e.more].map((x) => `${x.code} ${x.location?.line}: ${x.message} (${x.hint})`),
    [
      'manifest.reference 21: network "lxdbr1" uses network acl "wbe", which is neither in the manifests nor in LXD (define it under network_acls:, or create it in LXD first)',
      'manifest.reference 12: device "eth0" of instance "web-1" uses network acl "sshh", which is neither in the manifests nor in LXD (did you mean "ssh"?)',
    ],
  );
});

test('an ACL LXD has (made outside lxplan) may be named: nothing to order, no error', () => {
  const input = {
    manifest: manifest({ networks: [dNetwork('lxdbr1', { config: { 'security.acls': 'theirs' } })] }),
    live: withLiveAcls(live(), [lAcl('theirs')]),
    state: state(),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + network lxdbr1
      + type:                 bridge
      + config.security.acls: theirs

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  );
});

test('a NIC of an instance and of a profile naming ACLs (OVN): made after the ACLs; an instance leaving one lets it go first', () => {
  const nic = (acls: string) => ({ eth0: { type: 'nic', network: 'ovn1', 'security.acls': acls } });
  const input = {
    manifest: withAcls(
      manifest({
        images: [dImage('busybox')],
        profiles: [dProfile('lan', { devices: nic('ssh') })],
        instances: [dInstance('web-1', { profiles: ['default', 'lan'], devices: nic('web, ssh') })],
      }),
      [dAcl('web'), dAcl('ssh')],
    ),
    live: withLiveAcls(live({ images: [lImage(FP_A, ['busybox'])], networks: [lNetwork('ovn1', { type: 'ovn' })] }), []),
    state: state('image.busybox'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  + network_acl ssh
      + egress:  [drop to 10.0.0.0/8 (logged) "no LAN"]
      + ingress: [allow tcp to :80,443]
  + network_acl web
      + egress:  [drop to 10.0.0.0/8 (logged) "no LAN"]
      + ingress: [allow tcp to :80,443]
  + profile lan
      + devices.eth0.network:       ovn1
      + devices.eth0.security.acls: ssh
      + devices.eth0.type:          nic
  + instance web-1
      + image:                      busybox
      + type:                       container
      + profiles:                   [default, lan]
      + state:                      running
      + devices.eth0.network:       ovn1
      + devices.eth0.security.acls: web, ssh
      + devices.eth0.type:          nic

Plan: 4 to add, 0 to change, 0 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'profile.lan'), ['network_acl.ssh']);
  assert.equal(dependsOn(input, 'instance.web-1'), ['profile.lan', 'network_acl.web', 'network_acl.ssh']);
  const leaving = {
    manifest: withAcls(manifest({ images: [dImage('busybox')], instances: [dInstance('web-1', { devices: nic('ssh') })] }), [dAcl('ssh')]),
    live: withLiveAcls(
      live({
        images: [lImage(FP_A, ['busybox'])],
        networks: [lNetwork('ovn1', { type: 'ovn' })],
        instances: [lInstance('web-1', { devices: nic('web,ssh') })],
      }),
      [lAcl('web', { used_by: ['/1.0/instances/web-1'] }), lAcl('ssh', { used_by: ['/1.0/instances/web-1'] })],
    ),
    state: state('image.busybox', 'instance.web-1', 'network_acl.web', 'network_acl.ssh'),
  };
  assert.is(
    render(leaving),
    `lxplan will make these changes:

  - network_acl web
  ~ instance web-1 (live)
      ~ devices.eth0.security.acls: web,ssh -> ssh (live)

Plan: 0 to add, 1 to change, 1 to destroy.
`,
  );
  assert.equal(dependsOn(leaving, 'network_acl.web'), ['instance.web-1']);
});

test('renamed_from: an unused ACL is renamed in place (live)', () => {
  const input = {
    manifest: withAcls(manifest(), [dAcl('www', { renamedFrom: 'web' })]),
    live: withLiveAcls(live(), [lAcl('web')]),
    state: state('network_acl.web'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  ~ network_acl www (renamed from web; live)
      ~ name: web -> www (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('renamed_from on an ACL in use: refused (LXD renames unused ACLs only), saying how to move its users', () => {
  const input = {
    manifest: withAcls(manifest({ networks: [dNetwork('lxdbr1', { config: { ...BRIDGE, 'security.acls': 'www' } })] }), [dAcl('www', { renamedFrom: 'web' })]),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr1', { config: BRIDGE })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr1'] })]),
    state: state('network_acl.web', 'network.lxdbr1'),
  };
  const e = planError(input);
  assert.is(e.message, 'network_acl "www": name cannot change: LXD renames an ACL only while nothing uses it, and network "lxdbr1" uses it');
  assert.is(
    e.hint,
    'to move its users to a new name, drop renamed_from: lxplan then creates the new ACL before its users change and deletes the old one after',
  );
});

test('a new name without renamed_from while in use: the new ACL is made before the bridge moves to it, the old one deleted after', () => {
  const input = {
    manifest: withAcls(manifest({ networks: [dNetwork('lxdbr1', { config: { ...BRIDGE, 'security.acls': 'www' } })] }), [dAcl('www')]),
    live: withLiveAcls(live({ networks: [lNetwork('lxdbr1', { config: BRIDGE })] }), [lAcl('web', { used_by: ['/1.0/networks/lxdbr1'] })]),
    state: state('network_acl.web', 'network.lxdbr1'),
  };
  assert.is(
    render(input),
    `lxplan will make these changes:

  - network_acl web
  + network_acl www
      + egress:  [drop to 10.0.0.0/8 (logged) "no LAN"]
      + ingress: [allow tcp to :80,443]
  ~ network lxdbr1 (live)
      ~ config.security.acls: web -> www (live)

Plan: 1 to add, 1 to change, 1 to destroy.
`,
  );
  assert.equal(dependsOn(input, 'network.lxdbr1'), ['network_acl.www']);
  assert.equal(dependsOn(input, 'network_acl.web'), ['network.lxdbr1']);
});

test('an ACL naming another as a rule subject (OVN) is made after it', () => {
  const input = {
    manifest: withAcls(manifest(), [dAcl('web', { ingress: [{ action: 'allow' as const, state: 'enabled' as const, source: 'lb, @internal' }] }), dAcl('lb')]),
    live: live(),
    state: state(),
  };
  assert.equal(dependsOn(input, 'network_acl.web'), ['network_acl.lb']);
  assert.equal(dependsOn(input, 'network_acl.lb'), []);
});

test.run();
