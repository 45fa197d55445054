/**
 * How a change to one field reaches a running instance.
 *  - live:    takes effect on the running instance, no restart;
 *  - restart: stored now, takes effect at the next start of the instance;
 *  - replace: the object is destroyed and created again (an instance loses its disk).
 * A change's impact is its worst field's.
 */
export type Impact = 'live' | 'restart' | 'replace';

const RANK: Record<Impact, number> = { live: 0, restart: 1, replace: 2 };

export function worstImpact(impacts: Iterable<Impact>): Impact | undefined {
  let worst: Impact | undefined;
  for (const i of impacts) if (worst === undefined || RANK[i] > RANK[worst]) worst = i;
  return worst;
}
