import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, walk, type WalkEvent } from '../../src/graph/index.js';

function graph(...edges: string[]): Graph<string> {
  const g = new Graph<string>();
  for (const e of edges) for (const id of e.split('->')) if (!g.has(id)) g.addNode(id, id);
  for (const e of edges) {
    const [from, to] = e.split('->');
    if (to) g.addEdge(from, to);
  }
  return g;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statuses = (r: Awaited<ReturnType<typeof walk>>) =>
  Object.fromEntries([...r.nodes].map(([id, n]) => [id, n.status === 'skipped' ? `skipped(${n.because})` : n.status]));

test('each node starts only after all its dependencies finished', async () => {
  const g = graph('d->b', 'd->c', 'b->a', 'c->a');
  const finished = new Set<string>();
  const violations: string[] = [];
  const r = await walk(
    g,
    async (id) => {
      for (const dep of g.directDependencies(id)) if (!finished.has(dep)) violations.push(`${id} before ${dep}`);
      await sleep(id === 'b' ? 20 : 5);
      finished.add(id);
    },
    { concurrency: 4 },
  );
  assert.equal(violations, []);
  assert.ok(r.ok);
  assert.equal([...r.nodes.keys()], ['a', 'b', 'c', 'd']);
  for (const n of r.nodes.values()) assert.ok(n.status === 'succeeded' && n.ms >= 4);
});

test('concurrency bound: never more than N in flight, and N reached', async () => {
  const g = new Graph<number>();
  for (let i = 0; i < 20; i++) g.addNode(`n${i}`, i);
  let inFlight = 0;
  let max = 0;
  const r = await walk(
    g,
    async (_id, v) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(5 + (v % 3) * 5);
      inFlight--;
    },
    { concurrency: 3 },
  );
  assert.is(max, 3);
  assert.ok(r.ok);
  const serial = await walk(
    g,
    async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(1);
      inFlight--;
    },
    { concurrency: 1 },
  );
  assert.ok(serial.ok);
  assert.is(max, 3);
});

test('a failure skips only its transitive dependents, naming it; independent branches go on', async () => {
  // image <- web-1 <- snap-1 ; profile <- web-2 ; lone
  const g = graph('web-1->image', 'snap-1->web-1', 'web-2->profile', 'lone');
  const boom = new Error('upload failed');
  const ran: string[] = [];
  const events: WalkEvent[] = [];
  const r = await walk(
    g,
    async (id) => {
      ran.push(id);
      await sleep(2);
      if (id === 'image') throw boom;
    },
    { concurrency: 2, onEvent: (e) => events.push(e) },
  );
  assert.not.ok(r.ok);
  assert.equal(statuses(r), {
    image: 'failed',
    'web-1': 'skipped(image)',
    'snap-1': 'skipped(image)',
    profile: 'succeeded',
    'web-2': 'succeeded',
    lone: 'succeeded',
  });
  const failed = r.nodes.get('image')!;
  assert.ok(failed.status === 'failed' && failed.error === boom);
  assert.not.ok(ran.includes('web-1') || ran.includes('snap-1'));
  assert.equal(
    events.filter((e) => e.type === 'skipped').map((e) => e.type === 'skipped' && `${e.id}<-${e.because}`),
    ['web-1<-image', 'snap-1<-image'],
  );
  assert.is(events.filter((e) => e.type === 'start').length, 4);
  assert.is(events.filter((e) => e.type === 'succeeded').length, 3);
});

test('a node with two failed dependencies is skipped once, for the first failure', async () => {
  const g = graph('c->a', 'c->b');
  const events: WalkEvent[] = [];
  const r = await walk(
    g,
    async (id) => {
      await sleep(id === 'a' ? 2 : 15);
      throw new Error(id);
    },
    { concurrency: 2, onEvent: (e) => events.push(e) },
  );
  assert.equal(statuses(r), { a: 'failed', b: 'failed', c: 'skipped(a)' });
  assert.is(events.filter((e) => e.type === 'skipped').length, 1);
});

test('a visit that throws synchronously is a failure, not a crash', async () => {
  const g = graph('b->a');
  const r = await walk(
    g,
    (id: string) => {
      throw new Error(`sync ${id}`);
    },
    { concurrency: 1 },
  );
  assert.equal(statuses(r), { a: 'failed', b: 'skipped(a)' });
});

test('abort: nothing new starts, running visits finish, the rest are not-started', async () => {
  const g = new Graph<number>();
  for (let i = 0; i < 10; i++) g.addNode(`n${i}`, i);
  const ac = new AbortController();
  const seenSignal: AbortSignal[] = [];
  const r = await walk(
    g,
    async (id, _v, signal) => {
      seenSignal.push(signal);
      if (id === 'n1') ac.abort();
      await sleep(20);
    },
    { concurrency: 2, signal: ac.signal },
  );
  assert.equal(statuses(r), {
    n0: 'succeeded',
    n1: 'succeeded',
    n2: 'not-started',
    n3: 'not-started',
    n4: 'not-started',
    n5: 'not-started',
    n6: 'not-started',
    n7: 'not-started',
    n8: 'not-started',
    n9: 'not-started',
  });
  assert.ok(seenSignal.every((s) => s === ac.signal));
  const already = await walk(g, () => Promise.resolve().then(() => assert.unreachable('started after abort')), { concurrency: 2, signal: ac.signal });
  assert.ok([...already.nodes.values()].every((n) => n.status === 'not-started'));
});

test('walking the reverse graph visits dependents first (delete order)', async () => {
  const g = graph('instance->image', 'instance->profile');
  const order: string[] = [];
  await walk(
    g.reverse(),
    (id) => {
      order.push(id);
      return Promise.resolve();
    },
    { concurrency: 1 },
  );
  assert.equal(order, ['instance', 'image', 'profile']);
});

test('a cycle rejects before anything runs; bad concurrency rejects', async () => {
  let ran = false;
  const cyc = graph('a->b', 'b->a', 'c');
  await walk(
    cyc,
    () => {
      ran = true;
      return Promise.resolve();
    },
    { concurrency: 1 },
  ).then(
    () => assert.unreachable('walked a cycle'),
    (e: Error) => assert.is(e.message, 'dependency cycle: a -> b -> a'),
  );
  assert.not.ok(ran);
  await walk(graph('a'), async () => {}, { concurrency: 0 }).then(
    () => assert.unreachable('concurrency 0'),
    (e: Error) => assert.instance(e, RangeError),
  );
});

test('an empty graph is fine', async () => {
  const r = await walk(new Graph<string>(), async () => {}, { concurrency: 3 });
  assert.ok(r.ok);
  assert.is(r.nodes.size, 0);
});

test('an onEvent that throws stops new work and rejects the walk after running visits settle', async () => {
  const g = new Graph<number>();
  for (let i = 0; i < 5; i++) g.addNode(`n${i}`, i);
  let finished = 0;
  await walk(
    g,
    async () => {
      await sleep(5);
      finished++;
    },
    {
      concurrency: 2,
      onEvent: (e) => {
        if (e.type === 'succeeded') throw new Error('sink broke');
      },
    },
  ).then(
    () => assert.unreachable('resolved'),
    (e: Error) => assert.is(e.message, 'sink broke'),
  );
  assert.is(finished, 2);
});

test.run();
