/**
 * Config keys LXD 5.0.2 has that LXD's configuration.json (which describes a newer LXD, see
 * lxd-config-keys.ts) no longer lists: each was checked on the 5.0.2 daemon here (December 2026,
 * in a throwaway project and on throwaway networks and pools) unless its comment says otherwise.
 * Kept apart from config-keys.ts so that units.ts can read the instance keys' types without an
 * import cycle.
 */
import type { LxdKeyInfo, LxdKeyTable } from './lxd-config-keys.js';

/** Instance keys of LXD 5.0.2 that configuration.json (a newer LXD) dropped; accepted by the daemon here. */
export const LXD_5_0_INSTANCE: LxdKeyTable = {
  'limits.network.priority': { type: 'integer' },
  'nvidia.driver.capabilities': { only: 'container' },
  'nvidia.require.cuda': { only: 'container' },
  'nvidia.require.driver': { only: 'container' },
  'nvidia.runtime': { type: 'bool', only: 'container' },
  // From LXD 5.0's source (InstanceConfigKeysVM): no VM can be created here to check it on.
  'security.secureboot': { type: 'bool', only: 'virtual-machine' },
  // The old names of security.syscalls.deny / allow / deny_default / deny_compat.
  'security.syscalls.blacklist': { only: 'container' },
  'security.syscalls.blacklist_compat': { type: 'bool', only: 'container' },
  'security.syscalls.blacklist_default': { type: 'bool', only: 'container' },
  'security.syscalls.whitelist': { only: 'container' },
};

/** Network keys of LXD 5.0.2 that configuration.json dropped (MAAS integration, the fan type); ovn is not checked here (no OVN). */
const MAAS: LxdKeyTable = { 'maas.subnet.ipv4': {}, 'maas.subnet.ipv6': {} };
export const LXD_5_0_NETWORK: Readonly<Record<string, LxdKeyTable>> = {
  bridge: { ...MAAS, 'fan.type': {} },
  macvlan: MAAS,
  sriov: MAAS,
  physical: MAAS,
};

/** Pool keys of LXD 5.0 that configuration.json dropped (from LXD 5.0's ceph driver; not checked: no ceph here). */
export const LXD_5_0_POOL: Readonly<Record<string, LxdKeyTable>> = {
  ceph: { 'ceph.osd.force_reuse': { type: 'bool' } },
};

/**
 * Server keys of LXD 5.0 that configuration.json dropped (LXD 5.0's cluster and node config
 * schemas). core.trust_password is refused by server.ts anyway (write-only).
 */
export const LXD_5_0_SERVER: LxdKeyTable = {
  'candid.api.key': {}, 'candid.api.url': {}, 'candid.domains': {}, 'candid.expiry': { type: 'integer' },
  'core.trust_password': {},
  'maas.api.key': {}, 'maas.api.url': {}, 'maas.machine': {},
  'rbac.agent.private_key': {}, 'rbac.agent.public_key': {}, 'rbac.agent.url': {}, 'rbac.agent.username': {},
  'rbac.api.expiry': { type: 'integer' }, 'rbac.api.key': {}, 'rbac.api.url': {}, 'rbac.expiry': { type: 'integer' },
};

/** Keys configuration.json types as bool that hold lists (eBPF type lists, newer LXD): not compared or checked as booleans. */
const MISTYPED = new Set(['security.delegate_bpf.attach_types', 'security.delegate_bpf.cmd_types', 'security.delegate_bpf.map_types', 'security.delegate_bpf.prog_types']);

/** Concrete instance keys LXD types as `type` (configuration.json and the 5.0.2 keys above; volatile.* left out: LXD's own). */
export function instanceKeysOfType(all: LxdKeyTable, type: NonNullable<LxdKeyInfo['type']>): string[] {
  return Object.entries({ ...all, ...LXD_5_0_INSTANCE })
    .filter(([k, i]) => i.type === type && !k.includes('*') && !k.startsWith('volatile.') && !MISTYPED.has(k))
    .map(([k]) => k).sort();
}
