/**
 * Reading config:, limits: and devices: of an instance or a profile from the manifests (their
 * manifest.ts files): limits folded into config, every value checked (limits.ts, devices.ts,
 * config-keys.ts), positions kept.
 */
import { isMap, type Node } from 'yaml';
import { LxplanError } from '../../errors.js';
import type { ConfigMap, Device, DeviceMap } from '../../lxd/types.js';
import { scalarText, type EntryReader } from '../../manifest/entry.js';
import { formatLocation } from '../../manifest/parse.js';
import { deviceUses, validateDevice } from '../devices.js';
import type { Reference } from '../../manifest/kind.js';
import type { DesiredProfile } from '../profile/types.js';
import type { DesiredInstance } from './types.js';
import { LIMITS, limitApplies, limitHint, validateConfigValue, validateLimit } from './limits.js';
import { cloudInitTwice } from './keys.js';

/**
 * config:, limits: (folded in as limits.<key>) and devices: of an instance or a profile, with their
 * value checks: limit values (12XB, a bad CPU set), a limit given both in `limits:` and in `config:`,
 * limits that do not apply to the instance type (`type`: an instance's; undefined for a profile).
 */
export function readConfigAndDevices(
  r: EntryReader,
  owner: { kind: 'instance' | 'profile'; type?: 'container' | 'virtual-machine' },
): { config: ConfigMap; devices: DeviceMap } {
  const type = owner.kind === 'instance' ? owner.type : undefined;
  const config: ConfigMap = {};
  const cfg = r.fields.get('config');
  if (cfg) {
    r.keyAt.config = r.loc(cfg.keyNode);
    const nodes = new Map<string, Node | null>();
    for (const p of r.pairs(cfg.value)) {
      const v = scalarText(p.value);
      if (v === undefined) continue;
      config[p.key] = v;
      r.keyAt[`config.${p.key}`] = r.loc(p.keyNode);
      const problem = validateConfigValue(p.key, v);
      if (problem) r.valueError(problem, p.value, p.key.startsWith('limits.') ? limitHint(p.key.slice(7), v) : undefined);
      else nodes.set(p.key, p.value);
    }
    // The keys whose value was refused above are known (or refused with a better message).
    r.checkKeys(owner, Object.fromEntries([...nodes.keys()].map((k) => [k, config[k]])), nodes);
  }

  for (const [key, legacy] of cloudInitTwice(Object.keys(config))) {
    r.errors.push(
      new LxplanError('manifest.value', `${r.owner} gives cloud-init data twice: ${key} and ${legacy} (its legacy name)`, {
        location: r.keyAt[`config.${legacy}`],
        hint: `keep one of them (${key} on LXD 5.0 and later)`,
      }),
    );
  }

  let diskLimit: { value: string; keyNode: Node } | undefined;
  const lim = r.fields.get('limits');
  if (lim) {
    r.keyAt.limits = r.loc(lim.keyNode);
    for (const p of r.pairs(lim.value)) {
      const v = scalarText(p.value);
      if (v === undefined || !LIMITS[p.key]) continue; // the schema reports both
      const problem = validateLimit(p.key, v);
      if (problem) r.valueError(problem, p.value, limitHint(p.key, v));
      const full = `limits.${p.key}`;
      r.keyAt[full] = r.loc(p.keyNode);
      if (p.key === 'disk') {
        diskLimit = { value: v, keyNode: p.keyNode };
        continue;
      }
      if (full in config) {
        const inLimits = r.loc(p.keyNode);
        const inConfig = r.keyAt[`config.${full}`];
        const later = inLimits.line > inConfig.line || (inLimits.line === inConfig.line && inLimits.col > inConfig.col) ? inLimits : inConfig;
        r.errors.push(
          new LxplanError(
            'manifest.value',
            `${full} is given twice in ${r.owner}: in limits: at ${formatLocation(inLimits)} and in config: at ${formatLocation(inConfig)}`,
            { location: later, hint: `keep one of them (limits: {${p.key}: ...} is the short form of config: {${full}: ...})` },
          ),
        );
        continue;
      }
      config[full] = v;
    }
  }

  if (type) {
    for (const key of Object.keys(config)) {
      const k = key.startsWith('limits.') ? key.slice(7) : undefined;
      if (k === undefined || !LIMITS[k] || limitApplies(k, type)) continue;
      const only = LIMITS[k].appliesTo === 'vm' ? 'virtual machines' : 'containers';
      r.errors.push(
        new LxplanError('manifest.value', `${key} applies to ${only} only, and ${r.owner} is a ${type}`, {
          location: r.keyAt[key] ?? r.keyAt[`config.${key}`],
          hint: 'remove it here, or set it in a profile used only by ' + only,
        }),
      );
    }
  }

  const devices: DeviceMap = {};
  const dv = r.fields.get('devices');
  if (dv) {
    r.keyAt.devices = r.loc(dv.keyNode);
    for (const d of r.pairs(dv.value)) {
      if (!isMap(d.value)) continue;
      const dev: Device = {};
      r.keyAt[`devices.${d.key}`] = r.loc(d.keyNode);
      const entries = r.pairs(d.value);
      let skipped = false;
      for (const p of entries) {
        const v = scalarText(p.value);
        if (v === undefined) {
          skipped = true; // the schema reports it
          continue;
        }
        dev[p.key] = v;
        r.keyAt[`devices.${d.key}.${p.key}`] = r.loc(p.keyNode);
      }
      // Options, required keys and value forms per device type (src/resources/devices.ts).
      for (const problem of validateDevice(dev, type)) {
        if (skipped && problem.key === undefined) continue; // "missing source" next to a source the schema refuses helps no one
        const entry = problem.key === undefined ? undefined : entries.find((p) => p.key === problem.key);
        const node = entry ? (problem.atValue ? entry.value : entry.keyNode) : d.keyNode;
        const code = problem.schema ? 'manifest.schema' : 'manifest.value';
        r.errors.push(
          new LxplanError(code, `${problem.message} (device "${d.key}" of ${r.owner})`, {
            location: r.loc(node),
            ...(problem.hint ? { hint: problem.hint } : {}),
          }),
        );
      }
      devices[d.key] = dev;
    }
  }

  if (diskLimit) foldRootDiskSize(r, owner.kind, diskLimit, devices);
  return { config, devices };
}

/**
 * limits.disk: LXD has no such instance key; the root disk size is the `size` of the disk
 * device mounted at /. It goes there, which needs that device in the same object.
 */
function foldRootDiskSize(r: EntryReader, what: string, limit: { value: string; keyNode: Node }, devices: DeviceMap): void {
  const at = r.loc(limit.keyNode);
  const root = Object.entries(devices).find(([, d]) => d.type === 'disk' && d.path === '/');
  if (!root) {
    r.errors.push(
      new LxplanError('manifest.value', `limits.disk in ${r.owner} needs a root disk device (type: disk, path: /) in the same ${what}`, {
        location: at,
        hint: 'LXD keeps the root disk size as "size" on that device: add devices: {root: {type: disk, path: /, pool: default}}, or set size: on the root device where it is defined',
      }),
    );
    return;
  }
  const [devName, dev] = root;
  if ('size' in dev) {
    r.errors.push(
      new LxplanError(
        'manifest.value',
        `the root disk size of ${r.owner} is given twice: limits.disk at ${formatLocation(at)} and size of device "${devName}" at ${formatLocation(r.keyAt[`devices.${devName}.size`])}`,
        {
          location: at,
          hint: 'keep one of them',
        },
      ),
    );
    return;
  }
  dev.size = limit.value;
  r.keyAt[`devices.${devName}.size`] = at;
}

/** The networks, pools and custom volumes the devices of an instance or a profile name (a nic's `network:`, a disk's `pool:` and `source:`) that must exist. */
export function deviceReferences(o: DesiredInstance | DesiredProfile): Reference[] {
  return deviceUses(o.devices)
    .filter((u) => u.mustExist)
    .map((u) => ({
      kind: u.kind,
      name: u.name,
      owner: `device "${u.device}" of ${o.kind} "${o.name}"`,
      at: o.keyAt?.[`devices.${u.device}.${u.key}`] ?? o.keyAt?.[`devices.${u.device}`] ?? o.at,
    }));
}
