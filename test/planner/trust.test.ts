/** The planner's guarantees for CI: restarts, protection, drift, targets, renames, secrets, blast radius. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPlan } from '../../src/cli/views/plan-human.js';
import { plan, refreshState, type PlanInput } from '../../src/planner/index.js';
import type { ResourceChange } from '../../src/planner/plan.js';
import type { State } from '../../src/state/model.js';
import type { LxplanError } from '../../src/errors.js';
import { checkGuards } from '../../src/workflow/guards.js';
import { fromPlanDocument, toPlanDocument, type PlanDocument } from '../../src/workflow/plan-file.js';
import { dImage, dInstance, dProfile, FP_A, lImage, lInstance, live, lProfile, manifest, planError, state } from './builders.js';

const images = [lImage(FP_A, ['busybox'])];

function change(input: PlanInput, address: string): ResourceChange {
  const c = plan(input).changes.find((x) => x.address === address);
  if (!c) throw new Error(`no change for ${address}`);
  return c;
}

const refused = planError;

/** A state as the executor leaves it after applying `input`'s plan. */
function applied(input: PlanInput): State {
  const resources = { ...input.state.resources };
  for (const c of plan(input).changes) {
    if (c.action === 'delete' || c.stateOp === 'remove') delete resources[c.address];
    else resources[c.address] = { kind: c.kind, name: c.name, since: 'then', attributes: c.stateAttributes, fields: c.stateFields };
  }
  return { ...input.state, serial: input.state.serial + 1, resources };
}

const privileged = dInstance('db-1', { config: { 'security.privileged': 'true' } });

test('a restart-impact change on a running instance stays pending, and is remembered', () => {
  const input = { manifest: manifest({ instances: [privileged] }), live: live({ images, instances: [lInstance('db-1')] }), state: state('instance.db-1') };
  const c = change(input, 'instance.db-1');
  assert.is(c.action, 'update');
  assert.is(c.impact, 'restart');
  assert.is(c.restart, 'pending');
  assert.is(c.stateAttributes?.pending_restart, 'security.privileged');
  // Next run: LXD has the key, nothing else to change, the restart is still owed.
  const after = { ...input, live: live({ images, instances: [lInstance('db-1', { config: { 'security.privileged': 'true' } })] }), state: applied(input) };
  const next = change(after, 'instance.db-1');
  assert.is(next.action, 'noop');
  assert.is(next.restart, 'pending');
  assert.is(next.reason, 'restart pending since an earlier apply: security.privileged (lxapply --allow-restart restarts it)');
  // With --allow-restart it becomes an update that restarts.
  const now = change({ ...after, options: { allowRestart: true } }, 'instance.db-1');
  assert.is(now.action, 'update');
  assert.is(now.restart, 'now');
  assert.is(now.stateAttributes?.pending_restart, undefined);
});

test('restart: auto on the instance restarts without the flag; a stopped instance needs none', () => {
  const auto = {
    manifest: manifest({ instances: [{ ...privileged, restart: 'auto' as const }] }),
    live: live({ images, instances: [lInstance('db-1')] }),
    state: state('instance.db-1'),
  };
  assert.is(change(auto, 'instance.db-1').restart, 'now');
  const stopped = {
    manifest: manifest({ instances: [{ ...privileged, state: 'stopped' as const }] }),
    live: live({ images, instances: [lInstance('db-1', { status: 'Stopped' })] }),
    state: state('instance.db-1'),
  };
  const c = change(stopped, 'instance.db-1');
  assert.is(c.impact, 'live');
  assert.is(c.restart, undefined);
});

test('a protected instance is never destroyed: not by removal, replace or --destroy', () => {
  const protectedLive = lInstance('db-1', { config: { 'security.protection.delete': 'true' } });
  const removal = refused({ manifest: manifest(), live: live({ images, instances: [protectedLive] }), state: state('instance.db-1') });
  assert.is(removal.code, 'plan.guard');
  assert.is(removal.message, 'instance "db-1" is protected (protect: true / security.protection.delete) and this plan would delete it');
  const replace = refused({
    manifest: manifest({
      images: [dImage('other', 'c'.repeat(64))],
      instances: [dInstance('db-1', { image: 'other', protect: true, config: { 'security.protection.delete': 'true' } })],
    }),
    live: live({ images, instances: [protectedLive] }),
    state: state('instance.db-1'),
  });
  assert.match(replace.message, 'this plan would replace it');
  const destroy = refused({
    manifest: manifest({ instances: [dInstance('db-1', { protect: true, config: { 'security.protection.delete': 'true' } })] }),
    live: live({ images, instances: [protectedLive] }),
    state: state('instance.db-1'),
    options: { destroy: true },
  });
  assert.is(destroy.code, 'plan.guard');
});

test('--destroy deletes everything in state, instances before what they use, and forgets the default profile', () => {
  const p = plan({
    manifest: manifest({ profiles: [dProfile('small'), dProfile('default')], instances: [dInstance('web-1', { profiles: ['default', 'small'] })] }),
    live: live({ images, profiles: [lProfile('small')], instances: [lInstance('web-1', { profiles: ['default', 'small'] }), lInstance('handmade')] }),
    state: state('profile.small', 'profile.default', 'instance.web-1'),
    options: { destroy: true },
  });
  assert.equal(
    p.changes.map((c) => `${c.action} ${c.address}`),
    ['noop profile.default', 'delete profile.small', 'delete instance.web-1'],
  );
  assert.equal(p.changes[1].dependsOn, ['instance.web-1']);
});

test('drift: a value changed by hand is reported against what lxplan applied, and reverted', () => {
  const input = { manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.memory': '1GiB' } })] }), live: live({ images }), state: state() };
  const handSet = {
    ...input,
    live: live({ images, instances: [lInstance('web-1', { config: { 'limits.memory': '2GiB', 'user.note': 'x' } })] }),
    state: applied(input),
  };
  const c = change(handSet, 'instance.web-1');
  assert.equal(c.drift, [
    { path: 'config.limits.memory', impact: 'live', before: '1GiB', after: '2GiB' },
    { path: 'config.user.note', impact: 'live', after: 'x' },
  ]);
  assert.equal(
    c.fields.map((f) => `${f.path}: ${f.before} -> ${f.after}`),
    ['config.limits.memory: 2GiB -> 1GiB', 'config.user.note: x -> undefined'],
  );
  // Same value written differently is no drift.
  const respelled = { ...handSet, live: live({ images, instances: [lInstance('web-1', { config: { 'limits.memory': '1073741824' } })] }) };
  assert.is(change(respelled, 'instance.web-1').drift, undefined);
});

test('--refresh-only records live values; the drift is gone from the next plan', () => {
  const input = { manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.memory': '1GiB' } })] }), live: live({ images }), state: state() };
  const handSet = { ...input, live: live({ images, instances: [lInstance('web-1', { config: { 'limits.memory': '2GiB' } })] }), state: applied(input) };
  const r = refreshState(handSet);
  assert.equal(
    r.changes.map((c) => c.drift?.map((f) => f.path)),
    [['config.limits.memory']],
  );
  assert.is(r.state.resources['instance.web-1'].fields?.['config.limits.memory'], '2GiB');
  assert.is(change({ ...handSet, state: r.state }, 'instance.web-1').drift, undefined);
});

test('--target plans only the named object and what it needs', () => {
  const p = plan({
    manifest: manifest({
      images: [dImage('busybox')],
      profiles: [dProfile('small')],
      instances: [dInstance('web-1', { profiles: ['default', 'small'] }), dInstance('web-2')],
    }),
    live: live(),
    state: state(),
    options: { targets: ['web-1'] },
  });
  assert.equal(
    p.changes.map((c) => c.address),
    ['image.busybox', 'profile.small', 'instance.web-1'],
  );
  assert.throws(() => plan({ manifest: manifest(), live: live(), state: state(), options: { targets: ['nope'] } }), /--target nope: no object of that name/);
});

test('renamed_from plans a rename, not a replace', () => {
  const c = change(
    {
      manifest: manifest({ instances: [dInstance('web-new', { renamedFrom: 'web-old' })] }),
      live: live({ images, instances: [lInstance('web-old')] }),
      state: state('instance.web-old'),
    },
    'instance.web-new',
  );
  assert.is(c.action, 'update');
  assert.is(c.renamedFrom, 'web-old');
  assert.equal(c.fields[0], {
    path: 'name',
    before: 'web-old',
    after: 'web-new',
    impact: 'restart',
    note: 'LXD renames stopped instances only: it is stopped, renamed and started',
  });
  // The restart cannot wait for the next start, and was not allowed: lxapply refuses it (guards.ts).
  assert.is(c.restart, 'required');
});

const renameInput = (extra: Parameters<typeof dInstance>[1] = {}, liveExtra: Parameters<typeof lInstance>[1] = {}, allowRestart = false): PlanInput => ({
  manifest: manifest({ instances: [dInstance('web-new', { renamedFrom: 'web-old', ...extra })] }),
  live: live({ images, instances: [lInstance('web-old', liveExtra)] }),
  state: state('instance.web-old'),
  options: allowRestart ? { allowRestart: true } : {},
});

test('a rename of a running instance restarts it: allowed by --allow-restart or restart: auto, else required (refused by the guard)', () => {
  assert.is(change(renameInput(), 'instance.web-new').restart, 'required');
  assert.is(change(renameInput({}, {}, true), 'instance.web-new').restart, 'now');
  assert.is(change(renameInput({ restart: 'auto' }), 'instance.web-new').restart, 'now');
  // Frozen: unfrozen, stopped, renamed, started and frozen again: a restart all the same.
  assert.is(change(renameInput({ state: 'frozen' }, { status: 'Frozen' }), 'instance.web-new').restart, 'required');
  // Stopped (or stopped by this plan): no restart at all.
  const stopped = change(renameInput({ state: 'stopped' }, { status: 'Stopped' }), 'instance.web-new');
  assert.equal([stopped.fields[0].impact, stopped.restart], ['live', undefined]);
  const stopping = change(renameInput({ state: 'stopped' }), 'instance.web-new');
  assert.equal([stopping.fields[0].impact, stopping.restart], ['live', undefined]);

  const p = plan(renameInput());
  assert.throws(
    () => checkGuards(p, { allowDelete: true, allowReplace: true }),
    (e: Error) =>
      e.message === 'the plan restarts instance web-new (renamed from web-old: LXD renames stopped instances only), and restarts are never implicit' &&
      (e as LxplanError).hint === 'run lxapply with --allow-restart to allow it (or restart: auto on the instance); nothing was changed',
  );
  checkGuards(plan(renameInput({}, {}, true)), { allowDelete: false, allowReplace: false });
});

test('a rename refused for its restart keeps the restarts pending before; allowed, it clears them (the instance restarts)', () => {
  const pending: State = {
    ...state(),
    resources: {
      'instance.web-old': { kind: 'instance', name: 'web-old', since: 'then', attributes: { image: 'busybox', pending_restart: 'security.privileged' } },
    },
  };
  const refusedRename = change({ ...renameInput(), state: pending }, 'instance.web-new');
  assert.is(refusedRename.restart, 'required');
  const allowed = change({ ...renameInput({}, {}, true), state: pending }, 'instance.web-new');
  assert.is(allowed.restart, 'now');
  assert.is(allowed.stateAttributes?.pending_restart, undefined);
});

test('a saved plan keeps a required restart: lxapply PLAN refuses it as well', () => {
  const doc = JSON.parse(JSON.stringify(toPlanDocument(plan(renameInput()), { lxplanVersion: '0.1.0' }))) as PlanDocument;
  const back = fromPlanDocument(doc, 'plan.json');
  assert.is(back.changes.find((c) => c.address === 'instance.web-new')?.restart, 'required');
  assert.throws(() => checkGuards(back, { allowDelete: true, allowReplace: true }), /the plan restarts instance web-new/);
});

test('the plan of a rename that needs a restart says lxapply refuses it without --allow-restart', () => {
  assert.is(
    renderPlan(plan(renameInput())),
    `lxplan will make these changes:

  ~ instance web-new (renamed from web-old; restart)
      ~ name: web-old -> web-new (restart; LXD renames stopped instances only: it is stopped, renamed and started)
      restart needed: the change cannot wait for the next start; lxapply refuses it without --allow-restart (or restart: auto on the instance, or a yes on a terminal)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
});

test('sensitive values never leave the planner; the state keeps a hash', () => {
  const input = {
    manifest: manifest({ instances: [dInstance('web-1', { config: { 'user.token': 's3cr3t' }, sensitive: ['user.token'] })] }),
    live: live({ images, instances: [lInstance('web-1', { config: { 'user.token': 'old-secret' } })] }),
    state: state('instance.web-1'),
  };
  const p = plan(input);
  const text = JSON.stringify(p.changes.map(({ desired: _d, ...rest }) => rest));
  assert.not.match(text, 's3cr3t');
  assert.not.match(text, 'old-secret');
  const c = p.changes[0];
  assert.equal(c.fields, [{ path: 'config.user.token', before: '(sensitive)', after: '(sensitive)', impact: 'live', sensitive: true }]);
  assert.match(c.stateFields?.['config.user.token'] ?? '', /^sha256:[0-9a-f]{64}$/);
});

test('a profile change shows every instance using it, managed or not, with its own impact', () => {
  const c = change(
    {
      manifest: manifest({
        profiles: [dProfile('small', { config: { 'limits.memory': '1GiB', 'raw.lxc': 'lxc.apparmor.profile=unconfined' } })],
        instances: [dInstance('web-1', { profiles: ['default', 'small'] })],
      }),
      live: live({
        images,
        profiles: [lProfile('small', { config: { 'limits.memory': '512MB' } })],
        instances: [
          lInstance('web-1', { profiles: ['default', 'small'] }),
          lInstance('handmade', { profiles: ['default', 'small'], config: { 'limits.memory': '2GiB' } }),
          lInstance('stopped-1', { profiles: ['small'], status: 'Stopped' }),
          lInstance('other', { profiles: ['default'] }),
        ],
      }),
      state: state('profile.small', 'instance.web-1'),
    },
    'profile.small',
  );
  assert.equal(
    c.usedBy?.map((u) => [u.name, u.managed, u.impact, u.fields.map((f) => f.path)]),
    [
      ['handmade', false, 'restart', ['config.raw.lxc']],
      ['stopped-1', false, 'live', ['config.limits.memory', 'config.raw.lxc']],
      ['web-1', true, 'restart', ['config.limits.memory', 'config.raw.lxc']],
    ],
  );
  assert.is(c.impact, 'restart');
});

test('--target: an unmanaged object elsewhere with a manifest name does not stop the plan; one targeted or needed does', () => {
  const input = (targets: string[]) => ({
    manifest: manifest({ profiles: [dProfile('small')], instances: [dInstance('web-1', { profiles: ['default', 'small'] }), dInstance('legacy')] }),
    live: live({ images, instances: [lInstance('legacy')], profiles: [lProfile('small')] }),
    state: state(),
    options: { targets },
  });
  assert.equal(
    [planError({ ...input([]), options: {} })].flatMap((e) => [e, ...e.more]).map((e) => e.message.split(' already')[0]),
    ['profile "small"', 'instance "legacy"'],
  );
  assert.throws(() => plan(input(['legacy'])), /instance "legacy" already exists/);
  assert.throws(() => plan(input(['web-1'])), /profile "small" already exists/);
  const p = plan({ ...input(['web-1']), manifest: manifest({ instances: [dInstance('web-1'), dInstance('legacy')] }) });
  assert.equal(
    p.changes.map((c) => [c.address, c.action]),
    [['instance.web-1', 'create']],
  );
});

test('a saved plan knows the state it was made against and a digest of each object it touches', () => {
  const p = plan({
    manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.memory': '1GiB' } })] }),
    live: live({ images, instances: [lInstance('web-1')] }),
    state: state('instance.web-1'),
  });
  assert.equal(p.state, { lineage: 'test-lineage', serial: 1 });
  assert.match(p.changes[0].liveDigest ?? '', /^[0-9a-f]{32}$/);
  // LXD's own keys (volatile.*) do not change the digest: starting or stopping is not "changed since the plan".
  const again = plan({
    manifest: manifest({ instances: [dInstance('web-1', { config: { 'limits.memory': '1GiB' } })] }),
    live: live({ images, instances: [lInstance('web-1', { config: { 'volatile.last_state.power': 'STOPPED' } })] }),
    state: state('instance.web-1'),
  });
  assert.is(again.changes[0].liveDigest, p.changes[0].liveDigest);
});

const profileRestart = (extra: { allowRestart?: boolean; restart?: 'auto' | 'manual' } = {}) => ({
  manifest: manifest({
    profiles: [dProfile('small', { config: { 'raw.lxc': 'lxc.apparmor.profile=unconfined' } })],
    instances: [
      dInstance('web-1', { profiles: ['default', 'small'], restart: extra.restart ?? 'manual' }),
      dInstance('web-2', { profiles: ['default', 'small'], state: 'stopped' }),
    ],
  }),
  live: live({
    images,
    profiles: [lProfile('small')],
    instances: [lInstance('web-1', { profiles: ['default', 'small'] }), lInstance('web-2', { profiles: ['default', 'small'], status: 'Stopped' })],
  }),
  state: state('profile.small', 'instance.web-1', 'instance.web-2'),
  options: extra.allowRestart ? { allowRestart: true } : {},
});

test('a profile change that needs a restart of a running managed instance: pending in its state, after the profile', () => {
  const p = plan(profileRestart());
  assert.is(
    renderPlan(p),
    `lxplan will make these changes:

  ~ profile small (restart)
      + config.raw.lxc: lxc.apparmor.profile=unconfined (live)
      used by 2 instances:
        ~ web-1 (restart: raw.lxc)
            + config.raw.lxc: lxc.apparmor.profile=unconfined (restart)
            restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)
        ~ web-2 (live)
            + config.raw.lxc: lxc.apparmor.profile=unconfined (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  const web1 = p.changes.find((c) => c.address === 'instance.web-1')!;
  assert.equal([web1.action, web1.stateOp, web1.stateAttributes?.pending_restart, web1.dependsOn], ['noop', 'add', 'raw.lxc', ['profile.small']]);
  assert.is(
    p.changes.find((c) => c.address === 'instance.web-2')?.stateAttributes?.pending_restart,
    undefined,
    'a stopped instance takes it at its next start',
  );

  // After that apply, the next plan says the restart is still pending.
  const after = plan({
    ...profileRestart(),
    live: live({
      images,
      profiles: [lProfile('small', { config: { 'raw.lxc': 'lxc.apparmor.profile=unconfined' } })],
      instances: [lInstance('web-1', { profiles: ['default', 'small'] }), lInstance('web-2', { profiles: ['default', 'small'], status: 'Stopped' })],
    }),
    state: {
      ...state('profile.small', 'instance.web-2'),
      resources: {
        ...state('profile.small', 'instance.web-2').resources,
        'instance.web-1': { kind: 'instance', name: 'web-1', since: '2026-11-23T00:00:00.000Z', attributes: { image: 'busybox', pending_restart: 'raw.lxc' } },
      },
    },
  });
  assert.match(renderPlan(after), 'instance web-1: restart pending since an earlier apply: raw.lxc (lxapply --allow-restart restarts it)');
});

test('with --allow-restart (or restart: auto), the instance is restarted after the profile change', () => {
  for (const p of [plan(profileRestart({ allowRestart: true })), plan(profileRestart({ restart: 'auto' }))]) {
    const web1 = p.changes.find((c) => c.address === 'instance.web-1')!;
    assert.equal(
      [web1.action, web1.impact, web1.restart, web1.dependsOn, web1.reason],
      ['update', 'restart', 'now', ['profile.small'], 'restarts: profile small changes raw.lxc'],
    );
    assert.is(web1.stateAttributes?.pending_restart, undefined);
    assert.match(
      renderPlan(p),
      '        ~ web-1 (restart: raw.lxc)\n            + config.raw.lxc: lxc.apparmor.profile=unconfined (restart)\n            lxapply restarts it to apply the change\n',
    );
    assert.is(p.summary.change, 2);
  }
});

test.run();
