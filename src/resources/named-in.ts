/**
 * References a kind declares from its own folder in other kinds' objects (ResourceSpec.namedIn:
 * a network ACL is named by a network's and a NIC's `security.acls`), added to those objects'
 * refs and liveRefs here, so the planner orders them like any other reference and the kinds
 * named stay unaware of the kinds naming them.
 */
import type { KindEntry } from './registry.js';
import type { NamedRef, ResourceSpec } from './spec.js';
import { addressOf, type Address, type DesiredObject, type Kind } from './types.js';

/** Every name an object of `kind` holds of another kind, with that kind. */
export function namedIn(entries: readonly KindEntry[], kind: Kind, o: unknown): Array<NamedRef & { kind: Kind }> {
  return entries.flatMap((e) => (e.spec.namedIn?.(kind, o) ?? []).map((r) => ({ ...r, kind: e.kind })));
}

/** `spec` with the references other kinds declare in its objects added (the spec itself when there are none). */
export function withNamedRefs<D extends DesiredObject, L>(entries: readonly KindEntry[], spec: ResourceSpec<D, L>): ResourceSpec<D, L> {
  if (!entries.some((e) => 'namedIn' in e.spec)) return spec;
  const extra = (o: unknown): Address[] => namedIn(entries, spec.kind, o).map((r) => addressOf(r.kind, r.name));
  const uniq = (a: Address[]) => [...new Set(a)];
  return { ...spec, refs: (d) => uniq([...spec.refs(d), ...extra(d)]), liveRefs: (l) => uniq([...spec.liveRefs(l), ...extra(l)]) };
}
