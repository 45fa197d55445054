import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyState, parse, serialize, upgraders, withEntry, type State } from '../../src/state/index.js';
import { entry, lxplanError } from './helpers.js';

const P = 'examples/web/lxplan.state.json';
const schemaPath = fileURLToPath(new URL('../../../schemas/state.schema.json', import.meta.url));
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

function sample(): State {
  let s: State = { version: 1, lineage: '0b6f4a3e-6c1f-4d4e-9f57-1f5a7c9d2e10', serial: 7, resources: {} };
  s = withEntry(s, 'instance.web-1', entry('instance.web-1', { fingerprint: 'f00d', attributes: { z: '1', a: '2' } }));
  s = withEntry(s, 'image.busybox', entry('image.busybox', { fingerprint: 'beef' }));
  s = withEntry(s, 'profile.small', entry('profile.small'));
  return s;
}

test('round trip: parse(serialize(s)) equals s', () => {
  const s = sample();
  assert.equal(parse(serialize(s), P), s);
  const e = emptyState();
  assert.equal(parse(serialize(e), P), e);
});

test('serialize is stable: sorted resources and attributes, fixed key order, final newline', () => {
  const text = serialize(sample());
  assert.is(
    text,
    `{
  "version": 1,
  "lineage": "0b6f4a3e-6c1f-4d4e-9f57-1f5a7c9d2e10",
  "serial": 7,
  "resources": {
    "image.busybox": {
      "kind": "image",
      "name": "busybox",
      "since": "2026-11-23T21:40:00.000Z",
      "fingerprint": "beef"
    },
    "instance.web-1": {
      "kind": "instance",
      "name": "web-1",
      "since": "2026-11-23T21:40:00.000Z",
      "fingerprint": "f00d",
      "attributes": {
        "a": "2",
        "z": "1"
      }
    },
    "profile.small": {
      "kind": "profile",
      "name": "small",
      "since": "2026-11-23T21:40:00.000Z"
    }
  }
}
`,
  );
  // Insertion order does not matter.
  const reordered = { ...sample(), resources: Object.fromEntries(Object.entries(sample().resources).reverse()) };
  assert.is(serialize(reordered), text);
});

test('corrupt JSON: state.format naming the file and the backup', async () => {
  const e = await lxplanError(() => parse('{"version": 1, "lineage": ', P));
  assert.is(e.code, 'state.format');
  assert.match(
    e.message,
    /^state file examples\/web\/lxplan\.state\.json is corrupt \(not valid JSON: .+\); the previous good version is kept in examples\/web\/lxplan\.state\.json\.backup$/,
  );
  assert.is(e.hint, 'check examples/web/lxplan.state.json.backup and, if it is intact, copy it over examples/web/lxplan.state.json');
  const empty = await lxplanError(() => parse('', P));
  assert.is(empty.code, 'state.format');
  assert.match(empty.message, 'is corrupt');
});

test('unknown version: exact message, and a hint for a newer lxplan', async () => {
  const e = await lxplanError(() => parse(JSON.stringify({ ...sample(), version: 2 }), P));
  assert.is(e.code, 'state.format');
  assert.is(e.message, 'state file examples/web/lxplan.state.json has version 2; this lxplan reads state version 1');
  assert.is(e.hint, 'it was written by a newer lxplan: use that version (or newer) with this state');
  const zero = await lxplanError(() => parse(JSON.stringify({ ...sample(), version: 0 }), P));
  assert.is(zero.message, 'state file examples/web/lxplan.state.json has version 0; this lxplan reads state version 1');
});

test('malformed structure: every problem named by its place', async () => {
  const bad = {
    version: 1,
    lineage: '',
    serial: -1,
    extra: true,
    resources: {
      'instance.web-1': { kind: 'instance', name: 'web-2', since: '2026-11-23T21:40:00Z' },
      'profile.x': { kind: 'volume', name: 'x', since: 'yesterday', attributes: { a: 1 } },
    },
  };
  const e = await lxplanError(() => parse(JSON.stringify(bad), P));
  assert.is(e.code, 'state.format');
  assert.is(
    e.message,
    'state file examples/web/lxplan.state.json is malformed: extra: unknown key; lineage: must be a non-empty string, found ""; serial: must be a whole number >= 0, found -1; ' +
      'resources["instance.web-1"]: the address must be "instance.web-2" for kind instance and name "web-2"; resources["profile.x"].kind: must be one of project, storage_pool, network_acl, network, storage_volume, image, profile, instance, snapshot, server, found "volume"; and 2 more',
  );
  const noVersion = await lxplanError(() => parse('{"lineage":"x","serial":0,"resources":{}}', P));
  assert.is(noVersion.message, 'state file examples/web/lxplan.state.json is malformed: version: must be a whole number, found undefined');
  const array = await lxplanError(() => parse('[]', P));
  assert.is(array.message, 'state file examples/web/lxplan.state.json is malformed: the top level must be an object, found an array');
});

test('the upgraders table exists (empty while only version 1 exists)', () => {
  assert.type(upgraders, 'object');
  assert.equal(Object.keys(upgraders), []);
});

test('schemas/state.schema.json accepts what serialize writes', () => {
  for (const s of [sample(), emptyState()]) {
    const ok = validate(JSON.parse(serialize(s)));
    assert.ok(ok, JSON.stringify(validate.errors));
  }
});

test('schemas/state.schema.json and parse reject the same documents', async () => {
  const base = JSON.parse(serialize(sample())) as Record<string, unknown>;
  const variants: Record<string, unknown>[] = [
    { ...base, version: 2 },
    { ...base, lineage: '' },
    { ...base, serial: 1.5 },
    { ...base, serial: -1 },
    { ...base, more: 1 },
    { ...base, resources: [] },
    { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a' } } },
    { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a', since: 'today' } } },
    { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a', since: '2026-11-23T21:40:00Z', x: 1 } } },
    { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a', since: '2026-11-23T21:40:00Z', attributes: { k: 1 } } } },
    { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a', since: '2026-11-23T21:40:00Z', fingerprint: '' } } },
    { ...base, resources: { 'bucket.a': { kind: 'bucket', name: 'a', since: '2026-11-23T21:40:00Z' } } },
    { ...base, daemon: 'lab' },
    { ...base, daemon: { fingerprint: 'A'.repeat(64), endpoint: 'x' } },
    { ...base, daemon: { fingerprint: 'a'.repeat(64) } },
    { ...base, daemon: { fingerprint: 'a'.repeat(64), endpoint: '' } },
    { ...base, daemon: { fingerprint: 'a'.repeat(64), endpoint: 'x', clustered: 'yes' } },
    { ...base, daemon: { fingerprint: 'a'.repeat(64), endpoint: 'x', name: 'm1' } },
  ];
  for (const v of variants) {
    assert.not.ok(validate(v), `schema accepted ${JSON.stringify(v)}`);
    const e = await lxplanError(() => parse(JSON.stringify(v), P));
    assert.is(e.code, 'state.format');
  }
  // And both accept an offset time and an entry without optional keys.
  const fine = { ...base, resources: { 'profile.a': { kind: 'profile', name: 'a', since: '2026-11-23T21:40:00+01:00' } } };
  assert.ok(validate(fine));
  const bound = { ...base, daemon: { fingerprint: 'a'.repeat(64), endpoint: 'unix socket /s', clustered: true } };
  assert.ok(validate(bound));
  assert.equal(parse(JSON.stringify(bound), P).daemon, bound.daemon);
  assert.is(parse(JSON.stringify(fine), P).resources['profile.a'].since, '2026-11-23T21:40:00+01:00');
});

test.run();
