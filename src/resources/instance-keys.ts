/**
 * Impact of changing an instance config key on a running instance.
 *
 * Source: LXD's configuration key reference (the `liveupdate` column of the instance options,
 * as generated from LXD's source into doc/metadata.json / configuration.json, 2026 snapshot), with
 * two adjustments of our own where "not live" does not mean "needs a restart":
 *  - keys that only describe the instance to LXD or its scheduler (user.*, boot.*, snapshots.*,
 *    cluster.evacuate, migration.*) are stored and in force at once: nothing to restart;
 *  - cloud-init keys are read by cloud-init at first boot only: a restart does not apply them
 *    either; we call them `restart` (the honest "not now") and say so in the reason.
 * Keys not listed are treated as `restart`: when in doubt, do not promise a live change.
 */
import type { Impact } from './impact.js';

interface KeyRule { pattern: RegExp; impact: Impact; note?: string }

const rules: KeyRule[] = [
  // Applied live by LXD (liveupdate: yes).
  { pattern: /^limits\.(cpu|cpu\.allowance|cpu\.priority|cpu\.nodes|disk\.priority|network\.priority|memory|memory\.enforce|memory\.swap|memory\.swap\.priority|processes|hugepages\.[0-9]+[KMG]B)$/, impact: 'live' },
  { pattern: /^environment\./, impact: 'live' },
  { pattern: /^linux\.kernel_modules$/, impact: 'live' },
  { pattern: /^boot\.host_shutdown_timeout$/, impact: 'live' },
  { pattern: /^raw\.apparmor$/, impact: 'live' },
  { pattern: /^security\.(nesting|protection\.delete|protection\.shift|protection\.start|devlxd\.images|syscalls\.intercept\.mount\.(allowed|fuse|shift))$/, impact: 'live' },
  { pattern: /^placement\.group$/, impact: 'live' },
  // Stored and in force at once although LXD marks them not live: nothing runs them in the instance.
  { pattern: /^user\.(user-data|vendor-data|network-config)$/, impact: 'restart', note: 'cloud-init reads it at first boot only' },
  { pattern: /^cloud-init\./, impact: 'restart', note: 'cloud-init reads it at first boot only' },
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
