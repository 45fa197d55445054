/**
 * Walks a plan's dependency graph with a concurrency limit and makes each change through the
 * kind's operations. The state is saved after every change (the state manager serialises the
 * saves), so an interrupted apply leaves a state that matches what was done.
 */
import { LxplanError } from '../errors.js';
import { Graph, walk } from '../graph/index.js';
import type { LxdClient } from '../lxd/client.js';
import { assertNever, type Plan, type ResourceChange } from '../planner/plan.js';
import { ops, specs } from '../resources/index.js';
import { isUnsettled, type OpEvents, type OpResult } from '../resources/spec.js';
import type { Address } from '../resources/types.js';
import type { StateManager } from '../state/manager.js';
import { withEntry, withoutEntry, type State } from '../state/model.js';
import type { EventSink } from './events.js';

/** State attribute journalling a change in progress (create, replace, rename). */
export const INTENT = 'intent';

export interface ApplyOptions {
  client: LxdClient;
  state: StateManager;
  concurrency: number;
  /** When aborted, nothing new starts; what runs finishes and is recorded. */
  signal?: AbortSignal;
  sink?: EventSink;
  /** The clock, for state timestamps (tests may fix it). */
  now?: () => Date;
}

export interface ApplyResult {
  succeeded: Address[];
  failed: { address: Address; error: Error }[];
  skipped: { address: Address; because: Address }[];
  notStarted: Address[];
}

/** The changes the executor must visit: real changes, and noops that only touch the state. */
function needsVisit(c: ResourceChange): boolean {
  return c.action !== 'noop' || c.stateOp !== 'keep';
}

export function buildGraph(plan: Plan): Graph<ResourceChange> {
  const g = new Graph<ResourceChange>();
  const visited = plan.changes.filter(needsVisit);
  for (const c of visited) g.addNode(c.address, c);
  for (const c of visited) for (const dep of c.dependsOn) if (visited.some((v) => v.address === dep)) g.addEdge(c.address, dep);
  return g;
}

/** The state entry after the change: what the plan says to record, and what the operation reported (`done`). */
function recorded(state: State, c: ResourceChange, now: Date, since?: string, done?: OpResult | void): State {
  const prior = since ? { since } : state.resources[c.address];
  const fingerprint = done?.fingerprint ?? (c.desired ? specs[c.kind].recordedFingerprint?.(c.desired) : undefined);
  return withEntry(state, c.address, {
    kind: c.kind,
    name: c.name,
    since: prior?.since ?? now.toISOString(),
    ...(fingerprint ? { fingerprint } : {}),
    ...(c.stateAttributes && Object.keys(c.stateAttributes).length > 0 ? { attributes: c.stateAttributes } : {}),
    ...(c.stateFields ? { fields: c.stateFields } : {}),
  });
}

/** The fields to record when `unsettled` did not happen: those keep the record they had before (none: absent). */
function keepingRecords(
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
  unsettled: string[],
): Record<string, string> | undefined {
  if (!after) return after;
  const out = { ...after };
  for (const p of unsettled) {
    if (before?.[p] !== undefined) out[p] = before[p];
    else delete out[p];
  }
  return out;
}

/** The state entry before the change: what was there (if anything), marked with the intent. */
function journalled(state: State, c: ResourceChange, now: Date): State {
  const prior = state.resources[c.address] ?? (c.renamedFrom ? state.resources[`${c.kind}.${c.renamedFrom}`] : undefined);
  const intent = c.renamedFrom ? 'rename' : c.action;
  return withEntry(state, c.address, {
    kind: c.kind,
    name: c.name,
    since: prior?.since ?? now.toISOString(),
    attributes: { ...(prior?.attributes ?? {}), [INTENT]: intent },
    ...(prior?.fields && !c.renamedFrom ? { fields: prior.fields } : {}),
  });
}

/** The client for the project the change is made in (`project:` on an object; the scope otherwise). */
function scoped(client: LxdClient, project: string | undefined): LxdClient {
  return project && project !== client.project ? client.withProject(project) : client;
}

/** Makes one change through the kind's operations; returns what the operation reported (recorded in the state, never written into the plan). */
async function change(c: ResourceChange, scope: LxdClient, ev: OpEvents): Promise<OpResult | void> {
  const done = await make(c, scope, ev);
  // Last, once the change and its restart are made: an instance waits until ready and runs its execs.
  const kindOps = ops[c.kind];
  if (kindOps.settle && c.desired && (c.action === 'create' || c.action === 'update' || c.action === 'replace')) {
    await kindOps.settle(scoped(scope, c.project), c.desired, ev, { created: c.action !== 'update', restarted: c.action === 'update' && c.restart === 'now' });
  }
  return done;
}

async function make(c: ResourceChange, scope: LxdClient, ev: OpEvents): Promise<OpResult | void> {
  const kindOps = ops[c.kind];
  const client = scoped(scope, c.project);
  switch (c.action) {
    case 'noop':
      return;
    case 'create':
      return kindOps.create(client, c.desired!, ev);
    case 'update': {
      const done = c.renamedFrom && kindOps.rename ? await kindOps.rename(client, c.renamedFrom, c.desired!, ev) : await kindOps.update(client, c.desired!, ev);
      if (c.restart === 'now' && !c.renamedFrom && kindOps.restart) await kindOps.restart(client, c.name, ev);
      return done;
    }
    case 'replace':
      // A move between projects: deleted where it was, made in its new project.
      if (c.fromProject !== undefined) {
        await kindOps.delete(scoped(scope, c.fromProject), c.name, ev);
        return kindOps.create(client, c.desired!, ev);
      }
      if (kindOps.replace) return kindOps.replace(client, c.desired!, ev);
      await kindOps.delete(client, c.name, ev);
      return kindOps.create(client, c.desired!, ev);
    case 'delete':
      return kindOps.delete(client, c.name, ev);
    default:
      return assertNever(c.action);
  }
}

export async function apply(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const sink = opts.sink ?? (() => {});
  const now = opts.now ?? (() => new Date());
  const graph = buildGraph(plan);
  // "LXD" or "Incus", after the daemon (src/lxd/server.ts: read once per connection, by the plan already); neutral when unknown.
  const daemon =
    (await opts.client.daemon?.().then(
      (d) => d.word,
      () => undefined,
    )) ?? 'LXD or Incus';

  const visit = async (address: Address, c: ResourceChange) => {
    const ev: OpEvents = {
      changed: c.fields.map((f) => f.path),
      progress: (message) => sink({ type: 'progress', address, message }),
      notice: (message) => sink({ type: 'notice', address, message }),
      // What the operation read (and sends the ETag of) must be what the plan saw.
      verify:
        c.liveDigest === undefined
          ? undefined
          : (live) => {
              if (specs[c.kind].digest(live) !== c.liveDigest) {
                throw new LxplanError(
                  'plan.stale',
                  `${c.kind} "${c.renamedFrom ?? c.name}" was changed in ${daemon} since the plan was made; nothing was written to it`,
                  {
                    hint: 'make a new plan to see the change (lxplan), then apply that',
                  },
                );
              }
            },
    };
    // What was recorded of the object's fields before (an update that fails part-way keeps some).
    const recordedBefore = opts.state.state.resources[c.renamedFrom ? `${c.kind}.${c.renamedFrom}` : address]?.fields;
    // Journal the intent first: if lxapply dies after LXD made the object but before the state
    // says so, the next run finds the intent and adopts the object instead of failing on it.
    if (c.action === 'create' || c.action === 'replace' || c.renamedFrom) await opts.state.update((s) => journalled(s, c, now()));
    let done: OpResult | void;
    let failed: Error | undefined;
    try {
      try {
        done = await changeWhenIdle(c, opts.client, ev);
      } catch (e) {
        if (isUnsettled(e)) throw e;
        if (!lostContact(e) || c.action === 'replace') throw e;
        done = await reconcileAfterRestart(c, opts, ev, e as Error);
      }
    } catch (e) {
      // Made, but its last step did not finish (an exec failed): recorded as made, with the fields
      // of what did not happen as they were, so the next plan does that again; the change fails.
      if (isUnsettled(e)) {
        failed = e;
        c = { ...c, stateFields: keepingRecords(c.action === 'update' ? recordedBefore : undefined, c.stateFields, e.unsettled) };
      } else {
        // A create that failed half-way may have left the object in LXD: record it, so the next
        // plan shows it (and what is still to do) instead of failing with "already exists".
        if (c.action === 'create' || c.action === 'replace') {
          // One read decides; when it fails too, the journalled intent stays for the next run.
          const there = await ops[c.kind].exists(scoped(opts.client, c.project), c.name).catch(() => undefined);
          // No recorded fields: what LXD has is not what lxplan applied, and must not read as drift.
          if (there === true) await opts.state.update((s) => recorded(s, { ...c, stateFields: undefined }, now()));
          else if (there === false) await opts.state.update((s) => withoutEntry(s, address));
        }
        throw e;
      }
    }
    await opts.state.update((s) => {
      if (c.stateOp === 'remove' || c.action === 'delete') return withoutEntry(s, address);
      return recorded(
        c.renamedFrom ? withoutEntry(s, `${c.kind}.${c.renamedFrom}`) : s,
        c,
        now(),
        c.renamedFrom ? s.resources[`${c.kind}.${c.renamedFrom}`]?.since : undefined,
        done,
      );
    });
    if (failed) throw failed;
  };

  const result = await walk(graph, visit, {
    concurrency: Math.max(1, opts.concurrency),
    signal: opts.signal,
    onEvent(e) {
      // Every visited change is reported, noops that only touch the state too: each one an apply counts has its line.
      const c = graph.get(e.id);
      if (!c) return;
      if (e.type === 'start') sink({ type: 'start', address: e.id, action: c.action });
      else if (e.type === 'succeeded') sink({ type: 'done', address: e.id, action: c.action, ms: e.ms });
      else if (e.type === 'failed') sink({ type: 'failed', address: e.id, action: c.action, ms: e.ms, error: toError(e.error) });
      else if (e.type === 'skipped') sink({ type: 'skipped', address: e.id, because: e.because });
    },
  });

  const out: ApplyResult = { succeeded: [], failed: [], skipped: [], notStarted: [] };
  for (const [address, r] of result.nodes) {
    if (r.status === 'succeeded') out.succeeded.push(address);
    else if (r.status === 'failed') out.failed.push({ address, error: toError(r.error) });
    else if (r.status === 'skipped') out.skipped.push({ address, because: r.because });
    else out.notStarted.push(address);
  }
  return out;
}

/** LXD refuses to touch an object while one of its own operations on it runs. */
const BUSY = /is busy running an? "?[\w ]+"? operation/;

/**
 * Makes the change; if LXD says the object is busy (an operation a killed lxapply started is
 * still running in LXD, say), waits for LXD's operations on that object to end, re-reads it
 * and tries again: the operations are idempotent.
 */
async function changeWhenIdle(c: ResourceChange, client: LxdClient, ev: OpEvents): Promise<OpResult | void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await change(c, client, ev);
    } catch (e) {
      if (attempt >= 4 || !BUSY.test(String((e as Error)?.message))) throw e;
      const name = encodeURIComponent(c.renamedFrom ?? c.name);
      const busyWith = (await scoped(client, c.project).runningOperations()).filter((op) =>
        Object.values(op.resources ?? {})
          .flat()
          .some((url) => new RegExp(`/${name}(\\?|/|$)`).test(url)),
      );
      (ev.notice ?? ev.progress)(
        `LXD is still busy with it (${busyWith.map((op) => op.description ?? op.id).join(', ') || 'an operation'}): waiting, then trying again`,
      );
      for (const op of busyWith) await client.waitForOperation(op.id);
      if (busyWith.length === 0) await new Promise((r) => setTimeout(r, 500 * attempt));
      // The first attempt checked what the plan saw; LXD's own operation may have changed it since.
      c = { ...c, liveDigest: undefined };
      ev = { ...ev, verify: undefined };
    }
  }
}

/** The daemon went away mid-change (restarted, crashed): the operation's outcome is unknown. */
function lostContact(e: unknown): boolean {
  if (e instanceof LxplanError) return e.code === 'lxd.unreachable';
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(String((e as Error)?.message));
}

/** How long to wait for LXD to come back before giving the change up. */
const RECONNECT_TIMEOUT_MS = Number(process.env.LXPLAN_RECONNECT_TIMEOUT_MS ?? 60_000);

/**
 * LXD lost the operation (its daemon restarted): wait for it to answer again, re-read the
 * object, and finish the change from where LXD is now. Creates that LXD finished become
 * updates; updates and deletes are idempotent. What the plan saw was verified before the first
 * attempt, under the lock; the re-read may already show this change, so it is not verified again.
 */
async function reconcileAfterRestart(c: ResourceChange, opts: ApplyOptions, ev: OpEvents, cause: Error): Promise<OpResult | void> {
  const say = ev.notice ?? ev.progress;
  say(`lost contact with LXD during the change (${cause.message.split('\n')[0]}); waiting for the daemon to answer again`);
  const t0 = Date.now();
  for (;;) {
    try {
      await opts.client.server();
      break;
    } catch (e) {
      if (!lostContact(e) || Date.now() - t0 > RECONNECT_TIMEOUT_MS) throw cause;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const again: OpEvents = { progress: ev.progress };
  const kindOps = ops[c.kind];
  let how: string;
  let done: OpResult | void;
  if (c.action === 'create' && (await kindOps.exists(scoped(opts.client, c.project), c.name))) {
    done = await kindOps.update(scoped(opts.client, c.project), c.desired!, again);
    how = 'LXD had made it: brought it to the plan';
  } else {
    done = await change({ ...c, liveDigest: undefined }, opts.client, again);
    how = 'made the change again';
  }
  say(`LXD answered again after ${((Date.now() - t0) / 1000).toFixed(1)}s; re-read the ${c.kind} and ${how}`);
  return done;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new LxplanError('apply.failed', String(e));
}
