/**
 * What the commands print, against the real LXD daemon in a throwaway project: stdout is the
 * document (a saved plan's note goes to stderr), every change an apply counts has its line and the
 * closing line says what each number is, a conflict's hint gives the exact `lxplan import`
 * command that resolves it, and export writes `protect: true`.
 */
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlanDocument } from '../../src/cli/views/plan-json.js';
import { manifestDir, run, show } from './cli.js';
import { DAEMON_WORD, NO_CHANGES, testImage, throwawayProject } from './harness.js';

type Ctx = {
  project: Awaited<ReturnType<typeof throwawayProject>>;
  image: Awaited<ReturnType<typeof testImage>>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
};
const it = suite<Ctx>('what the commands print');

function manifest(image: Ctx['image'], profileConfig: string, web3: string): string {
  return `images:
  busybox:
    source:
      metadata: ${image.metadataPath}
      rootfs: ${image.rootfsPath}
profiles:
  small:
    limits: {cpu: 1, memory: 256MB}
${profileConfig}instances:
  web-1:
    image: busybox
    profiles: [default, small]
  web-2:
    image: busybox
    profiles: [default, small]
${web3}`;
}

const WEB3 = `  web-3:
    image: busybox
    state: stopped
    snapshots: [s1]
`;

/** Durations vary from run to run. */
const timeless = (s: string) => s.replace(/\(\d+\.\ds\)/g, '(T)');

it.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
  ctx.m = await manifestDir({ 'lxplan.yaml': manifest(ctx.image, '', WEB3) });
  ctx.args = (...more) => ['--project', ctx.project.name, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  await ctx.project?.cleanup();
  await ctx.m?.cleanup();
});

it('the CI command of docs/ci.md: stdout is exactly the markdown plan, the saved plan is noted on stderr', async (ctx) => {
  const saved = path.join(ctx.m.dir, 'plan.json');
  const r = await run('lxplan', ctx.args('--detailed-exitcode', '--format', 'markdown', '-o', saved));
  assert.is(r.code, 2, show(r));
  assert.ok(r.stdout.startsWith('**Plan: 6 to add, 0 to change, 0 to destroy.**\n'), show(r));
  assert.ok(r.stdout.endsWith('```\n\n</details>\n'), show(r));
  assert.not.match(r.stdout, 'Saved', show(r));
  assert.is(r.stderr, `Saved the plan to ${saved}: lxapply ${saved} applies exactly this plan.\n`, show(r));
  // The other formats: the same split.
  const human = await run('lxplan', ctx.args('-o', saved));
  assert.ok(human.stdout.endsWith('\nPlan: 6 to add, 0 to change, 0 to destroy.\n'), show(human));
  assert.is(human.stderr, `Saved the plan to ${saved}: lxapply ${saved} applies exactly this plan.\n`, show(human));
  const json = await run('lxplan', ctx.args('--json', '-o', saved));
  assert.is((JSON.parse(json.stdout) as PlanDocument).format_version, '1.0', show(json));
  // (Node may warn here that FORCE_COLOR, set by the test runner, overrides NO_COLOR.)
  assert.is(json.stderr.split('\n')[0], `Saved the plan to ${saved}: lxapply ${saved} applies exactly this plan.`, show(json));
  // The saved plan applies: one line per object, and the closing line counts those lines.
  const a = await run('lxapply', ['--project', ctx.project.name, saved]);
  assert.is(a.code, 0, show(a));
  assert.is(a.stdout.split('\n').filter((l) => / created \(/.test(l)).length, 6, show(a));
  assert.ok(a.stdout.endsWith(`\nApply complete: 6 created in ${DAEMON_WORD}.\n`), show(a));
});

it('a profile change with pending restarts: each instance has its fields and its line; the counts say what they are', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': manifest(ctx.image, '    config: {security.syscalls.deny_compat: "true"}\n', WEB3) });
  const plan = `lxplan will make these changes:

  ~ profile small (restart)
      + config.security.syscalls.deny_compat: true (live)
      used by 2 instances:
        ~ web-1 (restart: security.syscalls.deny_compat)
            + config.security.syscalls.deny_compat: true (restart)
            restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)
        ~ web-2 (restart: security.syscalls.deny_compat)
            + config.security.syscalls.deny_compat: true (restart)
            restart pending: the change takes effect at the next start (to restart now: lxapply --allow-restart, or restart: auto on the instance)

Plan: 0 to add, 1 to change, 0 to destroy.
`;
  const p = await run('lxplan', ctx.args());
  assert.is(p.code, 0, show(p));
  assert.is(p.stdout, plan, show(p));
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  assert.is(
    timeless(a.stdout),
    `${plan}
profile small: updated (T)
instance web-1: recorded in the state: restart pending (security.syscalls.deny_compat): it takes effect at the next start
instance web-2: recorded in the state: restart pending (security.syscalls.deny_compat): it takes effect at the next start

Apply complete: 1 updated in ${DAEMON_WORD}, 2 recorded in the state only.
`,
    show(a),
  );
});

it("a rename: its line says so, and its snapshot's record has a line of its own", async (ctx) => {
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx.image,
      '    config: {security.syscalls.deny_compat: "true"}\n',
      WEB3.replace('  web-3:\n', '  web-4:\n    renamed_from: web-3\n'),
    ),
  });
  const a = await run('lxapply', ctx.args('--auto-approve'));
  assert.is(a.code, 0, show(a));
  const progress = timeless(a.stdout).split('\n\n').slice(-2).join('\n\n');
  assert.is(
    progress,
    `instance web-4: updated, renamed from web-3 (T)
snapshot web-4/s1: recorded in the state: moves with instance web-3 renamed to web-4

Apply complete: 1 updated in ${DAEMON_WORD}, 1 recorded in the state only.
`,
    show(a),
  );
  const again = await run('lxplan', ctx.args());
  assert.match(again.stdout, /^(No changes|Waiting for a restart)/, show(again));
});

it("a conflict's hint gives the exact lxplan import command first, and that command resolves it", async (ctx) => {
  const { client } = ctx.project;
  await client.createInstance({
    name: 'handmade',
    source: { type: 'image', fingerprint: ctx.image.fingerprint },
    profiles: ['default'],
    config: {},
    devices: {},
    start: false,
  });
  await ctx.m.write({
    'lxplan.yaml': manifest(
      ctx.image,
      '    config: {security.syscalls.deny_compat: "true"}\n',
      WEB3.replace('  web-3:\n', '  web-4:\n    renamed_from: web-3\n') + '  handmade:\n    image: busybox\n    state: stopped\n',
    ),
  });
  const r = await run('lxplan', ctx.args());
  assert.is(r.code, 1, show(r));
  const command = `lxplan import instance handmade ${ctx.m.dir} --project ${ctx.project.name}`;
  assert.match(
    r.stderr,
    new RegExp(`^Error: \\S+lxplan\\.yaml:\\d+:3: instance "handmade" already exists in LXD and is not managed by lxplan; it will not be overwritten\n`),
    show(r),
  );
  assert.ok(
    r.stderr.endsWith(
      `\n  hint: to manage the instance LXD has, as it is (nothing is lost): ${command}; or rename it in the manifest, or remove the instance from LXD to let lxplan create it\n`,
    ),
    show(r),
  );
  const imported = await run('lxplan', command.split(' ').slice(1));
  assert.is(imported.code, 0, show(imported));
  assert.is(imported.stderr, 'Imported instance handmade: lxplan manages it now.\n', show(imported));
  assert.is(imported.stdout, NO_CHANGES, show(imported));
  const after = await run('lxplan', ctx.args());
  assert.is(after.code, 0, show(after));
});

it('export writes protect: true, not the raw security.protection.delete key; export DIR notes on stderr', async (ctx) => {
  const { client } = ctx.project;
  await client.createInstance({
    name: 'vault',
    source: { type: 'image', fingerprint: ctx.image.fingerprint },
    profiles: ['default'],
    config: { 'security.protection.delete': 'true', 'user.owner': 'ops' },
    devices: {},
    start: false,
  });
  try {
    const r = await run('lxplan', ['export', '--project', ctx.project.name, '--kind', 'instance', '--name', 'vault']);
    assert.is(r.code, 0, show(r));
    assert.ok(
      r.stdout.includes(`instances:
  vault:
    image: busybox
    protect: true
    profiles:
      - default
    config:
      user.owner: ops
`),
      show(r),
    );
    assert.not.match(r.stdout, 'security.protection.delete', show(r));
    const dir = path.join(ctx.m.dir, 'exported');
    const w = await run('lxplan', ['export', dir, '--project', ctx.project.name, '--kind', 'instance', '--name', 'vault']);
    assert.is(w.code, 0, show(w));
    assert.is(w.stdout, '', show(w));
    assert.is(w.stderr, `Wrote ${path.join(dir, 'lxplan.yaml')}.\n`, show(w));
    // What export wrote plans No changes once imported: protect: true is the key LXD has.
    const imp = await run('lxplan', ['import', 'instance', 'vault', dir, '--project', ctx.project.name]);
    assert.is(imp.code, 0, show(imp));
    assert.is(imp.stdout, NO_CHANGES, show(imp));
  } finally {
    const { value, etag } = await client.getInstance('vault');
    await client.updateInstance('vault', { ...value, config: { ...value.config, 'security.protection.delete': 'false' } }, etag);
  }
});

it.run();
