/**
 * How exported manifests write an object's config (lxplan export, <kind>/export.ts): as a user
 * would, without the keys LXD keeps for itself, limits.* in the typed `limits:` view.
 */
import { isServerComputedKey } from './instance/keys.js';
import { LIMITS, NOT_CONFIG_LIMITS } from './limits.js';

/** config split into the typed `limits:` view and the rest, as a user would write it. */
export function splitConfig(config: Record<string, string>): { limits?: Record<string, string>; config?: Record<string, string> } {
  const limits: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(config).sort()) {
    if (isServerComputedKey(k)) continue;
    const lk = k.startsWith('limits.') ? k.slice(7) : undefined;
    if (lk && LIMITS[lk] && !NOT_CONFIG_LIMITS.has(lk)) limits[lk] = v;
    else rest[k] = v;
  }
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(rest).length ? { config: rest } : {}) };
}

/** config without the keys LXD keeps for itself (volatile.*). */
export function ownConfig(config: Record<string, string> | undefined): { config?: Record<string, string> } {
  const own = Object.fromEntries(
    Object.entries(config ?? {})
      .filter(([k]) => !k.startsWith('volatile.'))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return Object.keys(own).length ? { config: own } : {};
}
