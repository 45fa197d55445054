/**
 * How a kind is read from LXD and where its objects live: each kind's <kind>/live.ts exports one
 * LiveKind, its registry entry's `live:`. The generic readers (live.ts, live-project.ts,
 * live-other-projects.ts) and the rule of where an object lives (where.ts, object-project.ts)
 * iterate the registry and call these; they know no kind.
 */
import type { LxdClient } from '../lxd/client.js';
import type { LxdServer } from '../lxd/types.js';
import type { Where } from './project/where.js';
import type { LiveSnapshot } from './spec.js';
import type { Kind, Manifest } from './types.js';

/** What a kind's read is given. */
export interface LiveReads {
  /** The client for the project holding the kind's objects (where.ts); the read's own client for a global kind. */
  client: LxdClient;
  /** Another kind's part of the snapshot, read once and shared: a kind read per object of another waits for it (volumes: the pools; snapshots: the instances). */
  of(kind: Kind): Promise<Partial<LiveSnapshot>>;
  /** Among the objects named, those whose sub-objects to read (one request each: an instance's snapshots). */
  within(names: string[]): string[];
}

/** The objects of a kind that may live in another project than the directory's scope (`project:` on the object). */
export interface PerObjectProject {
  /** Whether `s` (one project's lists) has an object of the kind named `name`. */
  has(s: LiveSnapshot, name: string): boolean;
  /** `live` with the objects named `names` (and what belongs to them) taken from `there`, another project's lists (undefined: that project does not exist yet), instead of the scope's. */
  takeFrom(live: LiveSnapshot, there: LiveSnapshot | undefined, names: ReadonlySet<string>): LiveSnapshot;
}

export interface LiveKind {
  /** Where its objects live (where.ts). */
  where: Where;
  /** Reads its objects: one list request (recursion=1), or one per object of another kind (LiveReads.of); its part of the snapshot. */
  read(r: LiveReads): Promise<Partial<LiveSnapshot>>;
  /** Its part of the snapshot of a project that does not exist yet (about to be created), when it lives there: what the daemon (its GET /1.0 answer, the second argument) makes with a new project (nothing, or its default profile). */
  none(project: string, server?: LxdServer): Partial<LiveSnapshot>;
  /** Read first and without a project scope, by readLiveIn only: where the other kinds live depends on it (the projects and their features). */
  scoping?: {
    /** Whether LXD has project `name`, by its part of `s`; undefined: not read. */
    exists(s: Partial<LiveSnapshot>, name: string): boolean | undefined;
    /** Project `name`'s config: as LXD has it (its part of `s`), else as the manifests declare it (a project about to be created). */
    config(s: Partial<LiveSnapshot>, m: Manifest, name: string): Record<string, string> | undefined;
  };
  /** Objects of this kind may live in another project (`project:`, object-project.ts). */
  perObjectProject?: PerObjectProject;
  /** Its objects live where their owner does (a snapshot: in its instance's project, object-project.ts). */
  ownedBy?: {
    kind: Kind;
    /** The owner's name. */
    owner(name: string): string;
    /** `live` with the objects of the owners named `owners` taken from `there`, another project's lists, instead of the scope's. */
    takeFrom(live: LiveSnapshot, there: LiveSnapshot | undefined, owners: ReadonlySet<string>): LiveSnapshot;
  };
  /** What the kind computes from the declared objects' local files before a plan, without LXD (an image's fingerprint). */
  prepare?(m: Manifest): Promise<void>;
}
