/**
 * Moves a state from one store to another (`lxplan state migrate --from SPEC --to SPEC`): a file,
 * a state kept on the daemon (lxd:NAME) or in PostgreSQL, any pair. Both are locked for the
 * whole move, the source first; the state is copied as it is, lineage and serial kept, so saved
 * plans made against the source still apply against the destination. The destination is
 * refused (nothing changed) when it holds a state of another lineage (another set of objects),
 * or a newer serial of the same lineage (the copy there has moved on).
 */
import { LxplanError } from '../errors.js';
import { serialize } from './file.js';
import { DEFAULT_LOCK_TIMINGS, type LockTimings } from './lock.js';
import type { State } from './model.js';
import type { HeldLock, StateStore } from './store.js';

export interface MigrateResult {
  lineage: string;
  serial: number;
  /** The destination held this version of the same lineage before (undefined: it held nothing). */
  replacedSerial?: number;
  /** The destination held exactly this already: nothing was written. */
  unchanged: boolean;
}

/** Why `to` may not take `from`'s state, or undefined when it may (pure: for tests and for the command). */
export function migrateRefusal(from: State, to: State | undefined, toLabel: string): string | undefined {
  if (!to) return undefined;
  if (to.lineage !== from.lineage)
    return `${toLabel} holds another state (lineage ${to.lineage}, serial ${to.serial}), not a copy of this one (lineage ${from.lineage}): it manages other objects; nothing was changed`;
  if (to.serial > from.serial)
    return `${toLabel} holds a newer version of this state (serial ${to.serial}, the source has ${from.serial}): migrating would go back in time; nothing was changed`;
  return undefined;
}

export async function migrateState(from: StateStore, to: StateStore, timings: LockTimings = DEFAULT_LOCK_TIMINGS): Promise<MigrateResult> {
  if (from.label === to.label) throw new LxplanError('usage', `--from and --to name the same state (${from.label})`);
  const locks: HeldLock[] = [];
  try {
    locks.push(await from.lock('migrate', timings));
    locks.push(await to.lock('migrate', timings));
    const state = await from.read();
    if (!state) throw new LxplanError('usage', `there is no state in ${from.label} to migrate; nothing was changed`);
    const there = await to.read();
    const refusal = migrateRefusal(state, there, to.label);
    if (refusal) throw new LxplanError('usage', refusal, { hint: 'migrate into an empty state, or remove the one there first if it is no longer needed' });
    const text = serialize(state);
    if (there && there.serial === state.serial && serialize(there) === text)
      return { lineage: state.lineage, serial: state.serial, replacedSerial: there.serial, unchanged: true };
    if (there && there.serial === state.serial)
      throw new LxplanError(
        'usage',
        `${to.label} holds serial ${there.serial} of this state with other contents than ${from.label}: one of them was edited by hand; nothing was changed`,
      );
    await to.write(text);
    return { lineage: state.lineage, serial: state.serial, ...(there ? { replacedSerial: there.serial } : {}), unchanged: false };
  } finally {
    for (const l of locks.reverse()) await l.release().catch(() => {});
  }
}
