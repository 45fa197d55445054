/**
 * A generic directed acyclic graph (Terraform's internal/dag): nodes are ids with a value,
 * an edge `from -> to` means "from depends on to", so `to` runs first. It knows nothing of
 * LXD; ordering rules come from the caller's edges. Everything iterates in insertion order,
 * so orders and error messages are deterministic.
 */

/** A dependency cycle; `cycle` lists its ids in order, the first repeated at the end. */
export class CycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`dependency cycle: ${cycle.join(' -> ')}`);
    this.name = 'CycleError';
  }
}

export class Graph<T> {
  private readonly values = new Map<string, T>();
  /** id -> the ids it depends on. */
  private readonly deps = new Map<string, Set<string>>();
  /** id -> the ids that depend on it. */
  private readonly rdeps = new Map<string, Set<string>>();

  /** Adds a node; adding an id twice is a caller bug and throws. */
  addNode(id: string, value: T): this {
    if (this.values.has(id)) throw new Error(`graph: node "${id}" added twice`);
    this.values.set(id, value);
    this.deps.set(id, new Set());
    this.rdeps.set(id, new Set());
    return this;
  }

  /** `from` depends on `to` (`to` runs first). Both must exist; adding an edge twice is harmless. */
  addEdge(from: string, to: string): this {
    for (const id of [from, to]) if (!this.values.has(id)) throw new Error(`graph: edge ${from} -> ${to} names unknown node "${id}"`);
    this.deps.get(from)!.add(to);
    this.rdeps.get(to)!.add(from);
    return this;
  }

  has(id: string): boolean {
    return this.values.has(id);
  }

  get(id: string): T | undefined {
    return this.values.get(id);
  }

  get size(): number {
    return this.values.size;
  }

  /** All ids, in insertion order. */
  ids(): string[] {
    return [...this.values.keys()];
  }

  /** What `id` depends on directly. */
  directDependencies(id: string): string[] {
    return [...this.known(id, this.deps)];
  }

  /** What depends on `id` directly. */
  directDependents(id: string): string[] {
    return [...this.known(id, this.rdeps)];
  }

  /** Everything `id` needs, transitively (without `id`). */
  dependenciesOf(id: string): string[] {
    return this.reach(id, this.deps);
  }

  /** Everything that needs `id`, transitively: what a failure of `id` stops. */
  dependentsOf(id: string): string[] {
    return this.reach(id, this.rdeps);
  }

  /** The same nodes with every edge turned around: the order for deleting what was created. */
  reverse(): Graph<T> {
    const g = new Graph<T>();
    for (const [id, v] of this.values) g.addNode(id, v);
    for (const [from, tos] of this.deps) for (const to of tos) g.addEdge(to, from);
    return g;
  }

  /** The first cycle found (ids in order, first repeated at the end), or undefined. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
      state.set(id, 'open');
      stack.push(id);
      for (const dep of this.deps.get(id)!) {
        const s = state.get(dep);
        if (s === 'open') return [...stack.slice(stack.indexOf(dep)), dep];
        if (s === undefined) {
          const c = visit(dep);
          if (c) return c;
        }
      }
      stack.pop();
      state.set(id, 'done');
      return undefined;
    };
    for (const id of this.values.keys()) {
      if (state.has(id)) continue;
      const c = visit(id);
      if (c) return c;
    }
    return undefined;
  }

  /** Throws CycleError when the graph has a cycle. */
  validate(): void {
    const c = this.findCycle();
    if (c) throw new CycleError(c);
  }

  /**
   * Dependencies before dependents (Kahn's algorithm); among nodes ready at the same time,
   * insertion order. Throws CycleError naming the cycle.
   */
  topoOrder(): string[] {
    this.validate();
    const waiting = new Map<string, number>();
    for (const [id, d] of this.deps) waiting.set(id, d.size);
    const index = new Map(this.ids().map((id, i) => [id, i] as const));
    const byInsertion = (a: string, b: string) => index.get(a)! - index.get(b)!;
    const order: string[] = [];
    let ready = this.ids().filter((id) => waiting.get(id) === 0);
    while (ready.length > 0) {
      const next: string[] = [];
      for (const id of ready) {
        order.push(id);
        for (const r of this.rdeps.get(id)!) {
          const n = waiting.get(r)! - 1;
          waiting.set(r, n);
          if (n === 0) next.push(r);
        }
      }
      ready = next.sort(byInsertion);
    }
    return order;
  }

  private known(id: string, edges: Map<string, Set<string>>): Set<string> {
    const s = edges.get(id);
    if (!s) throw new Error(`graph: unknown node "${id}"`);
    return s;
  }

  private reach(id: string, edges: Map<string, Set<string>>): string[] {
    const seen = new Set<string>();
    const todo = [...this.known(id, edges)];
    while (todo.length > 0) {
      const n = todo.shift()!;
      if (seen.has(n) || n === id) continue;
      seen.add(n);
      todo.push(...edges.get(n)!);
    }
    return this.ids().filter((x) => seen.has(x));
  }
}
