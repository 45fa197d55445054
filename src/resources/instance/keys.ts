/**
 * Impact of changing an instance config key on a running instance.
 *
 * Source: LXD's configuration key reference (the `liveupdate` column of the instance options,
 * as generated from LXD's source into doc/metadata.json / configuration.json, 2026 snapshot), with
 * two adjustments of our own where "not live" does not mean "needs a restart":
 *  - keys that only describe the instance to LXD or its scheduler (user.*, boot.*, snapshots.*,
 *    cluster.evacuate, migration.*) are stored and in force at once: nothing to restart;
 *  - cloud-init keys (cloud-init.user-data, .vendor-data, .network-config and their legacy user.*
 *    names) are `restart`, with a note saying what really happens. cloud-init runs its per-instance
 *    modules on the first boot of an instance-id; LXD 5.0.2 gives the instance a new
 *    volatile.cloud-init.instance-id whenever one of these keys changes (observed on the daemon:
 *    test/integration/instances-full.test.ts), so an image with cloud-init runs the new data at
 *    its next boot as for a new instance, not before. Nothing in LXD re-runs it in a running one.
 * Keys not listed are treated as `restart`: when in doubt, do not promise a live change.
 */
import type { Impact } from '../impact.js';

interface KeyRule {
  pattern: RegExp;
  impact: Impact;
  note?: string;
}

/** What a change of cloud-init data does to an existing instance (see above). */
export const CLOUD_INIT_NOTE =
  'cloud-init data: nothing runs it now; LXD gives the instance a new cloud-init instance-id, ' +
  'so cloud-init (if the image has it) runs it at the next boot as for a new instance';

/** The cloud-init keys LXD 5.0.2 knows, each with its legacy user.* name (cloud-init.ssh-keys.* came later). */
export const CLOUD_INIT_KEYS: Record<string, string> = {
  'cloud-init.user-data': 'user.user-data',
  'cloud-init.vendor-data': 'user.vendor-data',
  'cloud-init.network-config': 'user.network-config',
};

/** cloud-init keys given under both names in one config: [new name, legacy name] pairs. */
export function cloudInitTwice(keys: Iterable<string>): Array<[string, string]> {
  const all = new Set(keys);
  return Object.entries(CLOUD_INIT_KEYS).filter(([k, legacy]) => all.has(k) && all.has(legacy));
}

const rules: KeyRule[] = [
  // Applied live by LXD (liveupdate: yes).
  {
    pattern:
      /^limits\.(cpu|cpu\.allowance|cpu\.priority|cpu\.nodes|disk\.priority|network\.priority|memory|memory\.enforce|memory\.swap|memory\.swap\.priority|processes|hugepages\.[0-9]+[KMG]B)$/,
    impact: 'live',
  },
  { pattern: /^environment\./, impact: 'live' },
  { pattern: /^linux\.kernel_modules$/, impact: 'live' },
  { pattern: /^boot\.host_shutdown_timeout$/, impact: 'live' },
  { pattern: /^raw\.apparmor$/, impact: 'live' },
  {
    pattern: /^security\.(nesting|protection\.delete|protection\.shift|protection\.start|devlxd\.images|syscalls\.intercept\.mount\.(allowed|fuse|shift))$/,
    impact: 'live',
  },
  { pattern: /^placement\.group$/, impact: 'live' },
  // Stored and in force at once although LXD marks them not live: nothing runs them in the instance.
  { pattern: /^user\.(user-data|vendor-data|network-config)$/, impact: 'restart', note: CLOUD_INIT_NOTE },
  { pattern: /^cloud-init\./, impact: 'restart', note: CLOUD_INIT_NOTE },
  { pattern: /^user\./, impact: 'live' },
  { pattern: /^boot\.(autostart|autostart\.delay|autostart\.priority|stop\.priority)$/, impact: 'live' },
  { pattern: /^snapshots\./, impact: 'live' },
  { pattern: /^cluster\.evacuate$/, impact: 'live' },
  { pattern: /^migration\./, impact: 'live' },
  // Everything else (security.privileged, raw.lxc, linux.sysctl.*, security.idmap.*, ...) needs a restart.
];

export function instanceKeyImpact(key: string): { impact: Impact; note?: string } {
  for (const r of rules) if (r.pattern.test(key)) return { impact: r.impact, note: r.note };
  return { impact: 'restart' };
}

/** Keys LXD fills in itself: never diffed, never removed, kept as they are on every write. */
export function isServerComputedKey(key: string): boolean {
  return key.startsWith('volatile.') || key.startsWith('image.');
}
