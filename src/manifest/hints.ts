/**
 * "Did you mean ...?" suggestions. A typo in a key or a name is the most common manifest
 * mistake, and the fix is usually one edit away: naming the likely word saves a trip to
 * the docs.
 */
import { distance } from 'fastest-levenshtein';

/** How many edits still count as a typo: short words tolerate fewer. */
function maxEdits(word: string): number {
  return word.length <= 3 ? 1 : word.length <= 8 ? 2 : 3;
}

/** The candidate closest to `word` (ignoring case) if close enough to be a likely typo. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(w, c.toLowerCase());
    if (d < bestD && d <= maxEdits(word) && d < c.length) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** `did you mean "x"?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closestName(word, candidates);
  return c === undefined ? undefined : `did you mean "${c}"?`;
}
