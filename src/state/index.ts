/**
 * The state: what lxplan manages. model.ts is the data and its pure helpers, file.ts the
 * versioned file format, manager.ts the lock and the atomic, serialised saves.
 */
export { emptyState, STATE_VERSION, withEntry, withoutEntry, type DaemonRecord, type State, type StateEntry } from './model.js';
export { daemonRecord } from './daemon-binding.js';
export { backupPathOf, parse, serialize, upgraders } from './file.js';
export { StateManager, type OpenOptions } from './manager.js';
export {
  DEFAULT_LOCK_TIMINGS,
  forceUnlock,
  holderGone,
  lockDirOf,
  lockInfoPathOf,
  processStart,
  readLockInfo,
  type LockInfo,
  type LockTimings,
} from './lock.js';
