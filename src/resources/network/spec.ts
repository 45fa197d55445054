/**
 * Managed networks (bridges first; macvlan, sriov, ovn and physical are planned the same way).
 *
 * Fields fixed at creation: `type` (rest-api.yaml has it in NetworksPost only; NetworkPut holds
 * config and description), so changing it replaces the network. Every config key is applied in
 * place: LXD reconfigures the bridge (and its dnsmasq) at once.
 *
 * Keys LXD fills in itself: a new bridge that leaves out ipv4.address or ipv6.address gets one
 * ("initial value on creation: auto" in LXD's configuration.json, network-bridge), and with an
 * auto address the matching ipv4.nat/ipv6.nat "true". Observed on LXD 5.0.2: a bridge created with
 * only `ipv4.address: 10.10.10.1/24` reads back with `ipv6.address: fd42:...::1/64` and
 * `ipv6.nat: "true"`. These keys are LXD's unless the manifest declares them (see FILLED_KEYS):
 * never shown as changes, and sent back unchanged on every write (a PUT without ipv6.address
 * would turn IPv6 off). To turn one off, declare it: `ipv6.address: none`, `ipv4.nat: "false"`.
 *
 * There is no built-in network: `lxd init` may or may not make lxdbr0, and LXD lets it be
 * deleted, so an existing network is adopted only on purpose (`lxplan import network NAME`).
 */
import type { LxdNetwork } from '../../lxd/types.js';
import { configFields, digestOf, field, managedConfig, ownedConfig, type FilledKeys } from '../fields.js';
import type { Fields, ResourceSpec } from '../spec.js';
import { networkDeviceReferences } from './device-refs.js';
import { addressOf, type Address, type DesiredNetwork } from '../types.js';

/** Keys LXD fills in on creation when they are left out, per network type (configuration.json, observed on 5.0.2). */
const FILLED_KEYS: Record<string, readonly string[]> = {
  bridge: ['ipv4.address', 'ipv4.nat', 'ipv6.address', 'ipv6.nat', 'fan.underlay_subnet'],
  ovn: ['ipv4.address', 'ipv4.nat', 'ipv6.address', 'ipv6.nat'],
};

export function networkFilledKeys(type: string): FilledKeys {
  const keys = FILLED_KEYS[type] ?? [];
  return (k) => keys.includes(k);
}

/** Other networks a network uses: an OVN network's uplink (`network:`). */
function uplinks(type: string, config: Record<string, string>): Address[] {
  return type === 'ovn' && config.network ? [addressOf('network', config.network)] : [];
}

export const networkSpec: ResourceSpec<DesiredNetwork, LxdNetwork> = {
  kind: 'network',
  desired: (m) => m.networks,
  live: (s) => s.networks,
  desiredFields(d) {
    const f: Fields = { type: field(d.type), description: field(d.description) };
    return configFields(d.config, f);
  },
  liveFields(l, _ctx, d) {
    const f: Fields = { type: field(l.type), description: field(l.description ?? '') };
    return configFields(ownedConfig(l.config, d?.config, networkFilledKeys(l.type)), f);
  },
  fieldImpact: (path) => (path === 'type' ? { impact: 'replace', note: 'LXD deletes a network only when nothing uses it' } : { impact: 'live' }),
  refs: (d) => uplinks(d.type, d.config),
  liveRefs: (l) => uplinks(l.type, l.config ?? {}),
  builtin: () => false,
  stateAttributes: () => ({}),
  digest: (l) => digestOf({ type: l.type, description: l.description ?? '', config: managedConfig(l.config) }),
  // --- planner hooks ---
  referableNames: (ctx, gone) => ({ networks: new Set(Object.keys(ctx.live.networks).filter((n) => !gone.has(n))) }),
  deviceReferences: networkDeviceReferences,
};
