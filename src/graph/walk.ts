/**
 * Walks a Graph: each node is visited as soon as all its dependencies succeeded, with at most
 * `concurrency` visits at once (the caller's limit: the walker has no opinion about LXD's load).
 * A failure marks its transitive dependents skipped, naming the failure, while independent
 * branches go on; an abort starts nothing new and lets running visits finish, so their results
 * are still recorded. Progress goes to the caller's `onEvent`; the walker prints nothing.
 */
import type { Graph } from './dag.js';

export type NodeResult =
  | { status: 'succeeded'; ms: number }
  | { status: 'failed'; error: unknown; ms: number }
  /** `because` is the id of the failed node that made this one impossible. */
  | { status: 'skipped'; because: string }
  /** The walk was aborted before this node could start. */
  | { status: 'not-started' };

export type NodeStatus = NodeResult['status'];

export type WalkEvent =
  | { type: 'start'; id: string }
  | { type: 'succeeded'; id: string; ms: number }
  | { type: 'failed'; id: string; ms: number; error: unknown }
  | { type: 'skipped'; id: string; because: string };

export interface WalkOptions {
  /** Most visits running at once; a whole number >= 1. */
  concurrency: number;
  /** When aborted: start nothing new, let running visits finish, mark the rest not-started. */
  signal?: AbortSignal;
  onEvent?: (e: WalkEvent) => void;
}

export interface WalkResult {
  /** Every node, in topological order. */
  nodes: Map<string, NodeResult>;
  /** True when every node succeeded. */
  ok: boolean;
  /** Wall time of the whole walk. */
  ms: number;
}

export type Visit<T> = (id: string, value: T, signal: AbortSignal) => Promise<void>;

/**
 * Visits every node of `graph` in dependency order. Never rejects because a visit failed (that
 * is in the result); rejects only for a cycle (CycleError, before anything runs), a bad
 * `concurrency`, or an `onEvent` that threw (after running visits settled; nothing new starts).
 */
export async function walk<T>(graph: Graph<T>, visit: Visit<T>, opts: WalkOptions): Promise<WalkResult> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
    throw new RangeError(`walk: concurrency must be a whole number >= 1, got ${opts.concurrency}`);
  const order = graph.topoOrder();
  const signal = opts.signal ?? new AbortController().signal;
  const started = performance.now();
  const results = new Map<string, NodeResult>();
  const waiting = new Map<string, number>(order.map((id) => [id, graph.directDependencies(id).length]));
  const ready: string[] = order.filter((id) => waiting.get(id) === 0);
  let running = 0;
  let eventError: { error: unknown } | undefined;

  const emit = (e: WalkEvent) => {
    try {
      opts.onEvent?.(e);
    } catch (error) {
      eventError ??= { error };
    }
  };
  const stopped = () => signal.aborted || eventError !== undefined;

  return new Promise<WalkResult>((resolve, reject) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      signal.removeEventListener('abort', pump);
      if (eventError) return reject(eventError.error);
      const nodes = new Map<string, NodeResult>();
      for (const id of order) nodes.set(id, results.get(id) ?? { status: 'not-started' });
      resolve({ nodes, ok: [...nodes.values()].every((r) => r.status === 'succeeded'), ms: performance.now() - started });
    };

    const succeeded = (id: string, ms: number) => {
      results.set(id, { status: 'succeeded', ms });
      emit({ type: 'succeeded', id, ms });
      for (const d of graph.directDependents(id)) {
        const n = waiting.get(d)! - 1;
        waiting.set(d, n);
        if (n === 0 && !results.has(d)) ready.push(d);
      }
    };

    const failed = (id: string, ms: number, error: unknown) => {
      results.set(id, { status: 'failed', error, ms });
      emit({ type: 'failed', id, ms, error });
      // None of these can be running or done: each waits (transitively) on `id`.
      for (const d of graph.dependentsOf(id)) {
        if (results.has(d)) continue; // already skipped for an earlier failure: keep that cause
        results.set(d, { status: 'skipped', because: id });
        emit({ type: 'skipped', id: d, because: id });
      }
    };

    const start = (id: string) => {
      running++;
      emit({ type: 'start', id });
      const t0 = performance.now();
      // then(): a visit that throws synchronously is a failure like any other.
      Promise.resolve()
        .then(() => visit(id, graph.get(id) as T, signal))
        .then(
          () => succeeded(id, performance.now() - t0),
          (error: unknown) => failed(id, performance.now() - t0, error),
        )
        .finally(() => {
          running--;
          pump();
        });
    };

    function pump(): void {
      while (!stopped() && running < opts.concurrency && ready.length > 0) start(ready.shift()!);
      if (running === 0 && (stopped() || ready.length === 0)) finish();
    }

    signal.addEventListener('abort', pump);
    pump();
  });
}
