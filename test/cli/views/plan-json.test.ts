/**
 * The JSON document (also the saved-plan file): the whole document for one plan that uses every
 * key, the round trip for every case, the schema against the writer, and what the reader refuses.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPlanDocument, planSchemaPath, toPlanDocument, type PlanDocument } from '../../../src/workflow/plan-file.js';
import { redactPlan } from '../../../src/planner/redact.js';
import type { LxplanError } from '../../../src/errors.js';
import type { Plan } from '../../../src/planner/plan.js';
import { plan } from '../../../src/planner/index.js';
import {
  dImage,
  dInstance,
  dNetwork,
  dPool,
  dProfile,
  dSnapshot,
  dVolume,
  FP_A,
  lImage,
  lInstance,
  live,
  lNetwork,
  lPool,
  lSnapshot,
  lVolume,
  manifest,
  state,
} from '../../planner/builders.js';
import * as cases from './cases.js';
import { change, field, planOf } from './plans.js';

const META = { lxplanVersion: '0.1.0' };

const ALL: Record<string, () => Plan> = {
  createAll: cases.createAll,
  updateLive: cases.updateLive,
  restartNow: () => cases.restart('now'),
  restartPending: () => cases.restart('pending'),
  replaceImage: cases.replaceImage,
  deleteOne: cases.deleteOne,
  drift: cases.drift,
  driftOnly: cases.driftOnly,
  blastRadius: cases.blastRadius,
  renamed: cases.renamed,
  multiLine: cases.multiLine,
  sensitive: cases.sensitive,
  noChanges: cases.noChanges,
  stateOnly: cases.stateOnly,
  restartOwed: cases.restartOwed,
};

/** A plan that uses every key of the format. */
function everything(): Plan {
  return planOf(
    [
      change('instance', 'web-new', 'update', {
        reason: 'renamed in the manifest',
        renamedFrom: 'web-old',
        restart: 'now',
        liveDigest: 'sha256:0123',
        stateOp: 'add',
        stateAttributes: { image: 'busybox' },
        stateFields: { 'config.environment.PASSWORD': 'sha256:9f86d08', 'config.security.privileged': 'true' },
        dependsOn: ['profile.small'],
        fields: [
          field('config.security.privileged', undefined, 'true', 'restart'),
          field('config.environment.PASSWORD', 'old-secret', 'new-secret', 'live', { sensitive: true }),
          field('config.cloud-init.user-data', '#cloud-config\n', undefined, 'restart', { note: 'cloud-init reads it at first boot only' }),
        ],
        drift: [field('config.limits.memory', '1GiB', '2GiB')],
        desired: dInstance('web-new', {
          config: { 'security.privileged': 'true', 'environment.PASSWORD': 'new-secret' },
          renamedFrom: 'web-old',
          keyAt: { 'config.security.privileged': { file: 'lxplan.yaml', line: 14, col: 5 } },
        }),
      }),
      change('profile', 'small', 'update', {
        fields: [field('config.limits.memory', '256MB', '512MB')],
        usedBy: [
          { name: 'web-new', managed: true, impact: 'live', fields: [field('config.limits.memory', '256MB', '512MB')] },
          { name: 'handmade', managed: false, fields: [] },
        ],
      }),
    ],
    {
      createdAt: '2026-11-23T10:00:00.000Z',
      project: 'staging',
      manifestPath: 'examples/web',
      statePath: 'examples/web/lxplan.state.json',
      state: { lineage: 'test-lineage', serial: 7 },
      options: { allowRestart: true, targets: ['instance.web-new'], destroy: false },
    },
  );
}

const at = { file: 'lxplan.yaml', line: 12, col: 3 };

test('the whole document: snake_case, absent values left out, secrets redacted', () => {
  assert.equal(toPlanDocument(everything(), META), {
    format_version: '1.0',
    lxplan_version: '0.1.0',
    created_at: '2026-11-23T10:00:00.000Z',
    project: 'staging',
    manifest_path: 'examples/web',
    state_path: 'examples/web/lxplan.state.json',
    state: { lineage: 'test-lineage', serial: 7 },
    options: { allow_restart: true, targets: ['instance.web-new'], destroy: false },
    summary: { add: 0, change: 2, destroy: 0 },
    changes: [
      {
        address: 'instance.web-new',
        kind: 'instance',
        name: 'web-new',
        action: 'update',
        impact: 'restart',
        reason: 'renamed in the manifest',
        state_op: 'add',
        state_attributes: { image: 'busybox' },
        state_fields: { 'config.environment.PASSWORD': 'sha256:9f86d08', 'config.security.privileged': 'true' },
        depends_on: ['profile.small'],
        fields: [
          { path: 'config.security.privileged', after: 'true', impact: 'restart' },
          { path: 'config.environment.PASSWORD', before: '(sensitive)', after: '(sensitive)', impact: 'live', sensitive: true },
          { path: 'config.cloud-init.user-data', before: '#cloud-config\n', impact: 'restart', note: 'cloud-init reads it at first boot only' },
        ],
        drift: [{ path: 'config.limits.memory', before: '1GiB', after: '2GiB', impact: 'live' }],
        restart: 'now',
        renamed_from: 'web-old',
        live_digest: 'sha256:0123',
        desired: {
          kind: 'instance',
          name: 'web-new',
          at,
          image: 'busybox',
          profiles: ['default'],
          description: '',
          config: { 'security.privileged': 'true', 'environment.PASSWORD': '(sensitive)' },
          devices: {},
          state: 'running',
          type: 'container',
          protect: false,
          restart: 'manual',
          renamedFrom: 'web-old',
          keyAt: { 'config.security.privileged': { file: 'lxplan.yaml', line: 14, col: 5 } },
        },
      },
      {
        address: 'profile.small',
        kind: 'profile',
        name: 'small',
        action: 'update',
        impact: 'live',
        state_op: 'keep',
        depends_on: [],
        fields: [{ path: 'config.limits.memory', before: '256MB', after: '512MB', impact: 'live' }],
        used_by: [
          { name: 'web-new', managed: true, impact: 'live', fields: [{ path: 'config.limits.memory', before: '256MB', after: '512MB', impact: 'live' }] },
          { name: 'handmade', managed: false, fields: [] },
        ],
      },
    ],
  });
});

test('a planner-made document, whole', () => {
  assert.equal(toPlanDocument(cases.deleteOne(), META), {
    format_version: '1.0',
    lxplan_version: '0.1.0',
    state: { lineage: 'test-lineage', serial: 1 },
    options: {},
    summary: { add: 0, change: 0, destroy: 1 },
    changes: [
      {
        address: 'instance.web-1',
        kind: 'instance',
        name: 'web-1',
        action: 'noop',
        state_op: 'add',
        state_attributes: { image: 'busybox' },
        state_fields: { description: '', image: 'busybox', profiles: '[default]', state: 'running', type: 'container' },
        depends_on: [],
        fields: [],
        live_digest: '9ad489947122d08413ca54966eb68fdc',
        desired: {
          kind: 'instance',
          name: 'web-1',
          at,
          image: 'busybox',
          profiles: ['default'],
          description: '',
          config: {},
          devices: {},
          state: 'running',
          type: 'container',
          protect: false,
          restart: 'manual',
        },
      },
      {
        address: 'instance.web-3',
        kind: 'instance',
        name: 'web-3',
        action: 'delete',
        state_op: 'remove',
        depends_on: [],
        fields: [],
        live_digest: '9ad489947122d08413ca54966eb68fdc',
      },
    ],
  });
});

/** The schema on its own, as an editor or another tool would use it: every problem, strict. */
const schemaCheck = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(planSchemaPath(), 'utf8')));

test('every document the writer makes is valid against the schema', () => {
  for (const [name, make] of [...Object.entries(ALL), ['everything', everything] as const]) {
    const doc = JSON.parse(JSON.stringify(toPlanDocument(make(), META))) as PlanDocument;
    assert.ok(schemaCheck(doc), `${name}: ${JSON.stringify(schemaCheck.errors)}`);
  }
});

test('a planner-made plan with every kind (create, then update and delete) is valid against the schema and reads back', () => {
  const all = manifest({
    images: [dImage('busybox')],
    profiles: [dProfile('small', { config: { 'limits.memory': '1GiB' } })],
    instances: [dInstance('web-1', { snapshots: ['clean'] })],
    snapshots: [dSnapshot('web-1/clean')],
    networks: [dNetwork('lxdbr1', { config: { 'ipv4.address': 'none' } })],
    storagePools: [dPool('fast')],
    storageVolumes: [dVolume('fast/data', { config: { size: '1GB' } })],
  });
  all.server = { kind: 'server', name: 'config', config: { 'images.remote_cache_expiry': '5' }, at: { file: 'lxplan.yaml', line: 1, col: 1 } };
  const created = plan({ manifest: all, live: { ...live(), server: { api_version: '1.0', api_extensions: [], config: {} } }, state: state() });
  const removed = plan({
    manifest: manifest({ images: [dImage('busybox')] }),
    live: live({
      images: [lImage(FP_A, ['busybox'])],
      instances: [lInstance('web-1')],
      snapshots: [lSnapshot('web-1/clean')],
      networks: [lNetwork('lxdbr1')],
      storagePools: [lPool('fast')],
      storageVolumes: [lVolume('fast/data')],
    }),
    state: state('image.busybox', 'instance.web-1', 'snapshot.web-1/clean', 'network.lxdbr1', 'storage_pool.fast', 'storage_volume.fast/data'),
  });
  assert.equal([...new Set(created.changes.map((c) => c.kind))].sort(), [
    'image',
    'instance',
    'network',
    'profile',
    'server',
    'snapshot',
    'storage_pool',
    'storage_volume',
  ]);
  for (const p of [created, removed]) {
    const doc = JSON.parse(JSON.stringify(toPlanDocument(p, META))) as PlanDocument;
    assert.ok(schemaCheck(doc), JSON.stringify(schemaCheck.errors));
    assert.equal(fromPlanDocument(doc, 'plan.json'), JSON.parse(JSON.stringify(redactPlan(p))));
  }
});

test('round trip: the document read back is the plan, secrets excepted', () => {
  for (const [name, make] of [...Object.entries(ALL), ['everything', everything] as const]) {
    const p = make();
    const text = JSON.stringify(toPlanDocument(p, META), null, 2);
    // Compared as JSON: the planner leaves some absent sides as `before: undefined`, which a file cannot hold.
    assert.equal(fromPlanDocument(JSON.parse(text), 'plan.json'), JSON.parse(JSON.stringify(redactPlan(p))), name);
  }
  // Without secrets the plan comes back exactly.
  const p = cases.blastRadius();
  assert.equal(fromPlanDocument(JSON.parse(JSON.stringify(toPlanDocument(p, META))), 'plan.json'), p);
});

function refusal(doc: unknown): LxplanError {
  try {
    fromPlanDocument(doc, 'plan.json');
  } catch (e) {
    return e as LxplanError;
  }
  throw new Error('expected the document to be refused');
}

function good(): PlanDocument {
  return JSON.parse(JSON.stringify(toPlanDocument(everything(), META))) as PlanDocument;
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access -- broken() edits reach anywhere into a document, to make ones the reader must refuse */
function broken(edit: (d: Record<string, any>) => void): Record<string, any> {
  const d = good() as unknown as Record<string, any>;
  edit(d);
  return d;
}

test('what is not a plan document is refused, naming the file and the first problem', () => {
  const cases: [unknown, string][] = [
    [[1, 2], 'plan.json is not a plan this lxplan can read: it is not a JSON object'],
    [{ name: 'web-1', config: {} }, 'plan.json is not a plan this lxplan can read: it has no format_version (it is not an lxplan plan document)'],
    [{ format_version: 1 }, 'plan.json is not a plan this lxplan can read: format_version 1 is not "major.minor"'],
    [
      broken((d) => {
        d.changes[0].action = 'recreate';
      }),
      'plan.json is not a plan this lxplan can read: changes[0].action must be one of: "noop", "create", "update", "replace", "delete"',
    ],
    [
      broken((d) => {
        d.changes[1].used_by[0].colour = 'red';
      }),
      'plan.json is not a plan this lxplan can read: unknown key "colour" in changes[1].used_by[0]',
    ],
    [
      broken((d) => {
        delete d.changes[0].fields[0].impact;
      }),
      'plan.json is not a plan this lxplan can read: missing impact in changes[0].fields[0]',
    ],
    [
      broken((d) => {
        d.changes[0].desired.limits = {};
      }),
      'plan.json is not a plan this lxplan can read: unknown key "limits" in changes[0].desired',
    ],
    [
      broken((d) => {
        d.state.serial = '7';
      }),
      'plan.json is not a plan this lxplan can read: state.serial must be integer',
    ],
    [
      broken((d) => {
        d.summary.change = 3;
      }),
      'plan.json is not a plan this lxplan can read: its summary (0 to add, 3 to change, 0 to destroy) does not match its changes (0, 2, 0)',
    ],
    [
      broken((d) => {
        d.changes[1].address = 'profile.large';
      }),
      'plan.json is not a plan this lxplan can read: changes[1].address is "profile.large", not "profile.small"',
    ],
    [
      broken((d) => {
        d.changes[0].kind = 'profile';
        d.changes[0].address = 'profile.web-new';
      }),
      'plan.json is not a plan this lxplan can read: changes[0].desired.kind is "instance", not "profile"',
    ],
  ];
  for (const [doc, message] of cases) {
    const e = refusal(doc);
    assert.is(e.code, 'usage');
    assert.is(e.message, message);
  }
});

test('another format version says which one this lxplan reads', () => {
  for (const v of ['2.0', '1.1']) {
    const e = refusal(
      broken((d) => {
        d.format_version = v;
        d.lxplan_version = '9.9.9';
      }),
    );
    assert.is(e.code, 'usage');
    assert.is(e.message, `plan.json is not a plan this lxplan can read: it is in plan format ${v} by lxplan 9.9.9; this lxplan reads format 1.0`);
    assert.is(e.hint, 'make the plan again with this lxplan, or apply it with the lxplan that made it');
  }
});

test('the schema refuses what the reader refuses, and nulls', () => {
  for (const d of [
    broken((x) => {
      x.changes[0].impact = null;
    }),
    broken((x) => {
      x.changes[0].fields[0].sensitive = 'yes';
    }),
    broken((x) => {
      x.created_at = 'yesterday';
    }),
    broken((x) => {
      x.changes[0].depends_on = ['web-1'];
    }),
    broken((x) => {
      delete x.changes[0].desired.protect;
    }),
  ])
    assert.not.ok(schemaCheck(d), JSON.stringify(d).slice(0, 200));
});
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access */

test.run();
