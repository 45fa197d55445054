import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CycleError, Graph } from '../../src/graph/index.js';

/** A graph from "a->b" strings (a depends on b); nodes in first-mention order, value = id. */
function graph(...edges: string[]): Graph<string> {
  const g = new Graph<string>();
  for (const e of edges) for (const id of e.split('->')) if (!g.has(id)) g.addNode(id, id);
  for (const e of edges) {
    const [from, to] = e.split('->');
    if (to) g.addEdge(from, to);
  }
  return g;
}

function cycleOf(g: Graph<unknown>): CycleError {
  try {
    g.topoOrder();
  } catch (e) {
    if (e instanceof CycleError) return e;
    throw e;
  }
  throw new Error('no cycle found');
}

test('topoOrder: dependencies first, ties in insertion order', () => {
  // instance needs image and profile; profile needs nothing; image needs nothing.
  const g = graph('instance.web-1->image.busybox', 'instance.web-1->profile.small', 'instance.web-2->profile.small', 'profile.small');
  assert.equal(g.topoOrder(), ['image.busybox', 'profile.small', 'instance.web-1', 'instance.web-2']);
});

test('topoOrder respects every edge of a diamond and a chain', () => {
  const g = graph('d->b', 'd->c', 'b->a', 'c->a', 'x->y', 'y->z');
  const order = g.topoOrder();
  const pos = (id: string) => order.indexOf(id);
  for (const [from, to] of [
    ['d', 'b'],
    ['d', 'c'],
    ['b', 'a'],
    ['c', 'a'],
    ['x', 'y'],
    ['y', 'z'],
  ] as const)
    assert.ok(pos(to) < pos(from), `${to} before ${from}`);
  assert.is(order.length, 7);
});

test('cycle error names the cycle in order', () => {
  assert.is(cycleOf(graph('a->b', 'b->a')).message, 'dependency cycle: a -> b -> a');
  const e = cycleOf(graph('x->a', 'a->b', 'b->c', 'c->a'));
  assert.equal(e.cycle, ['a', 'b', 'c', 'a']);
  assert.is(e.message, 'dependency cycle: a -> b -> c -> a');
  assert.is(cycleOf(graph('s->s')).message, 'dependency cycle: s -> s');
  assert.is(graph('a->b', 'b->c').findCycle(), undefined);
});

test('dependenciesOf / dependentsOf are transitive', () => {
  const g = graph('d->b', 'd->c', 'b->a', 'c->a', 'e');
  assert.equal(g.dependenciesOf('d'), ['b', 'c', 'a']); // insertion order
  assert.equal(g.dependentsOf('a'), ['d', 'b', 'c']);
  assert.equal(g.dependentsOf('b'), ['d']);
  assert.equal(g.dependentsOf('e'), []);
  assert.equal(g.directDependencies('d'), ['b', 'c']);
  assert.equal(g.directDependents('a'), ['b', 'c']);
});

test('reverse: same nodes and values, every edge turned around (delete order)', () => {
  const g = graph('instance.web-1->image.busybox', 'instance.web-1->profile.small');
  const r = g.reverse();
  assert.equal(r.ids(), g.ids());
  assert.is(r.get('image.busybox'), 'image.busybox');
  assert.equal(r.topoOrder(), ['instance.web-1', 'image.busybox', 'profile.small']);
  assert.equal(r.dependentsOf('instance.web-1'), ['image.busybox', 'profile.small']);
  // The original is untouched.
  assert.equal(g.topoOrder(), ['image.busybox', 'profile.small', 'instance.web-1']);
});

test('caller bugs throw: duplicate node, edge to an unknown node', () => {
  const g = graph('a');
  assert.throws(() => g.addNode('a', 'again'), /node "a" added twice/);
  assert.throws(() => g.addEdge('a', 'nope'), /unknown node "nope"/);
  assert.throws(() => g.dependentsOf('nope'), /unknown node "nope"/);
});

test.run();
