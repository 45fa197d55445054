/** Field-by-field comparison of two flattened objects, on canonical values. */
import type { FieldImpact, Fields } from '../resources/spec.js';
import type { FieldChange } from './plan.js';

/** Fields that lead, in this order, after the kind's own (ResourceSpec.leadingFields); the rest follow sorted by path. */
const LEADING = ['source', 'fingerprint', 'type', 'driver', 'content_type', 'profiles', 'state', 'description', 'public'];

function orderBy(leading: readonly string[]): (a: string, b: string) => number {
  return (a, b) => {
    const ia = leading.indexOf(a);
    const ib = leading.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? leading.length : ia) - (ib === -1 ? leading.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

export function diffFields(desired: Fields, live: Fields, impactOf: (path: string) => FieldImpact, kindLeading: readonly string[] = []): FieldChange[] {
  const paths = [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort(orderBy([...kindLeading, ...LEADING]));
  const out: FieldChange[] = [];
  for (const path of paths) {
    const d = desired[path];
    const l = live[path];
    if (d && l && d.canonical === l.canonical) continue;
    // An empty description on one side and none on the other mean the same.
    if (!l && d && d.canonical === '' && path === 'description') continue;
    const { impact, note } = impactOf(path);
    out.push({ path, before: l?.display, after: d?.display, impact, ...(note ? { note } : {}) });
  }
  return out;
}
