/**
 * --refresh-only: what LXD has now becomes what the state records, without touching LXD.
 * Objects gone from LXD leave the state; drift is reported, not reverted.
 */
import { specs } from '../resources/index.js';
import { KINDS } from '../resources/registry.js';
import { addressOf } from '../resources/types.js';
import { withEntry, withoutEntry, type State } from '../state/model.js';
import { driftOf, recordFields, sensitivePaths } from './fields.js';
import type { ResourceChange } from './plan.js';
import { makeContext, type PlanInput } from './planner.js';

export interface Refresh {
  state: State;
  /** One noop change per managed object whose live fields differ from the record, with its drift; and those gone. */
  changes: ResourceChange[];
}

export function refreshState(input: PlanInput): Refresh {
  const ctx = makeContext(input);
  let state = input.state;
  const changes: ResourceChange[] = [];
  for (const kind of KINDS) {
    const spec = specs[kind];
    const live = spec.live(ctx.live);
    const desired = spec.desired(ctx.manifest);
    for (const entry of Object.values(input.state.resources)
      .filter((e) => e.kind === kind)
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const address = addressOf(kind, entry.name);
      const l = live[entry.name];
      const base = { address, kind, name: entry.name, action: 'noop' as const, fields: [], dependsOn: [] };
      if (l === undefined) {
        state = withoutEntry(state, address);
        changes.push({ ...base, stateOp: 'remove', reason: 'gone from LXD: removed from the state' });
        continue;
      }
      const d = desired[entry.name];
      // Secrets stay hashed even when the manifests no longer say so.
      const secret = new Set([
        ...sensitivePaths(d),
        ...Object.entries(entry.fields ?? {})
          .filter(([, v]) => v.startsWith('sha256:'))
          .map(([k]) => k),
      ]);
      const drift = driftOf(spec, l, d, entry, ctx, secret);
      state = withEntry(state, address, { ...entry, fields: recordFields(spec.liveFields(l, ctx, d), secret) });
      if (drift.length > 0) changes.push({ ...base, stateOp: 'add', drift, reason: 'live values recorded in the state' });
    }
  }
  return { state, changes };
}
