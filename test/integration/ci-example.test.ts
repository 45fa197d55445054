/**
 * examples/ci, checked: its CI files' commands run as the CI files run them, against the second
 * LXD (scripts/lxd2-up.sh) over HTTPS, with the secrets in environment variables only, and each
 * job in a working copy of its own (another "machine": nothing shared but the server and the
 * artifact the plan job hands on). Set up as docs/ci.md says: a trust token made on the server,
 * `lxplan remote add` on an admin machine, whose client certificate, key and pinned fingerprint
 * become the secrets. GitHub Actions: the plan job saves a plan (exit code 2 recorded), the apply
 * job on another copy applies exactly that artifact, a plan after says No changes, and the same
 * artifact again is refused as stale with nothing changed. GitLab CI: a change planned and
 * applied the same way by its jobs' script lines. The only deviation from the files: the state's
 * and the project's names, unique per run.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { LxdClient } from '../../src/lxd/client.js';
import { BIN, root, run, show } from './cli.js';

const exec = promisify(execFile);
const LXD2_DIR = process.env.LXD2_DIR ?? '/var/lib/lxd2';
const LXD2_URL = 'https://127.0.0.1:8444';
const EXAMPLE = path.join(root, 'examples/ci');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface GithubJob {
  'runs-on': string;
  needs?: string;
  env?: Record<string, string>;
  steps: Step[];
}
interface GitlabJob {
  script: string[];
  needs?: string[];
  artifacts?: { paths: string[] };
}

type Ctx = {
  tmp: string;
  lxd2: LxdClient;
  project: string;
  stateName: string;
  secrets: Record<string, string>;
  token: string;
  clientFp?: string;
  bin: string;
};
const it = suite<Ctx>('examples/ci on hosted runners');

const lxd2Env = { ...process.env, LXD_DIR: LXD2_DIR, LXD_SOCKET: path.join(LXD2_DIR, 'unix.socket') };

/** A fresh "machine": a checkout of the repository layout the CI files expect (ci/*.sh, infra/). */
async function checkout(ctx: Ctx, name: string): Promise<string> {
  const dir = path.join(ctx.tmp, name);
  await mkdir(path.join(dir, 'ci'), { recursive: true });
  await copyFile(path.join(EXAMPLE, 'plan.sh'), path.join(dir, 'ci/plan.sh'));
  await copyFile(path.join(EXAMPLE, 'apply.sh'), path.join(dir, 'ci/apply.sh'));
  await cp(path.join(EXAMPLE, 'infra'), path.join(dir, 'infra'), { recursive: true });
  return dir;
}

/** What a runner's environment holds: its variables, the secrets, lxplan on PATH; no daemon socket, no config directory. */
function runnerEnv(ctx: Ctx, vars: Record<string, string>, dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'LANG', 'TZ']) if (process.env[k]) env[k] = process.env[k];
  env.PATH = `${ctx.bin}:${env.PATH ?? '/usr/bin:/bin'}`;
  env.HOME = path.join(dir, '.home');
  env.NO_COLOR = '1';
  env.CI = 'true';
  for (const [k, v] of Object.entries(vars)) {
    env[k] = v.replace(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g, (_all, name: string) => {
      if (!(name in ctx.secrets)) throw new Error(`the CI file reads secret ${name}, which docs/ci.md does not set up`);
      return ctx.secrets[name];
    });
  }
  // Unique per run, so runs never share a state or a project (the files say lxd:infra and infra).
  env.LXPLAN_STATE = `lxd:${ctx.stateName}`;
  env.LXPLAN_PROJECT = ctx.project;
  return env;
}

/** Runs a job's shell text as the CI runs it (bash, errexit and pipefail) in `dir`. */
async function shell(script: string, dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: dir, env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
const showRun = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

async function memoryOf(c: LxdClient, profile: string): Promise<string> {
  return c.getProfile(profile).then(
    (p) => p.value.config['limits.memory'] ?? '(none)',
    () => 'missing',
  );
}

it.before(async (ctx) => {
  ctx.tmp = await mkdtemp(path.join(tmpdir(), 'lxplan-ci-'));
  ctx.lxd2 = new LxdClient({ socketPath: path.join(LXD2_DIR, 'unix.socket') });
  try {
    await ctx.lxd2.server();
  } catch (e) {
    throw new Error(`the second LXD (${LXD2_DIR}, https on 127.0.0.1:8444) is needed: run scripts/lxd2-up.sh (${(e as Error).message})`);
  }
  const id = randomBytes(3).toString('hex');
  ctx.project = `lxplan-test-ci-${id}`;
  ctx.stateName = `it-ci-${id}`;
  // lxplan and lxapply on PATH, as `npm install -g lxplan` leaves them.
  ctx.bin = path.join(ctx.tmp, 'bin');
  await mkdir(ctx.bin);
  for (const name of ['lxplan', 'lxapply'] as const) {
    await writeFile(path.join(ctx.bin, name), `#!/bin/sh\nexec "${process.execPath}" "${BIN[name]}" "$@"\n`);
    await chmod(path.join(ctx.bin, name), 0o755);
  }

  // docs/ci.md, step 1, on the server: the project, and a trust token for the CI client.
  await ctx.lxd2.createProject({
    name: ctx.project,
    description: 'lxplan integration test: safe to delete when no test runs',
    // Its own profiles; the server's images (the default project's busybox), as docs/ci.md makes it.
    config: { 'features.profiles': 'true', 'features.images': 'false' },
  });
  ctx.token = `lxplan-it-ci-${id}`;
  const { stdout } = await exec('lxc', ['config', 'trust', 'add', '--name', ctx.token], { env: lxd2Env });
  // Step 2, on an admin's machine: lxplan remote add, which pins the server and gets a client certificate trusted.
  const admin = path.join(ctx.tmp, 'admin');
  const added = await run('lxplan', ['remote', 'add', 'prod', LXD2_URL, '--token', stdout.trim().split('\n').pop()!.trim()], { LXPLAN_CONF: admin });
  assert.is(added.code, 0, show(added));
  const listed = await run('lxplan', ['remote', 'list', '--json'], {
    LXPLAN_CONF: admin,
    LXD_CONF: path.join(ctx.tmp, 'none'),
    INCUS_CONF: path.join(ctx.tmp, 'none'),
  });
  const fingerprint = (JSON.parse(listed.stdout) as { remotes: { name: string; fingerprint: string }[] }).remotes.find((r) => r.name === 'prod')!.fingerprint;
  // Step 3: the secrets.
  ctx.secrets = {
    LXPLAN_REMOTE_URL: LXD2_URL,
    LXPLAN_SERVER_FINGERPRINT: fingerprint,
    LXPLAN_CLIENT_CERT: await readFile(path.join(admin, 'client.crt'), 'utf8'),
    LXPLAN_CLIENT_KEY: await readFile(path.join(admin, 'client.key'), 'utf8'),
  };
  const { fingerprintOf } = await import('../../src/lxd/tls.js');
  ctx.clientFp = fingerprintOf(ctx.secrets.LXPLAN_CLIENT_CERT);
});

it.after(async (ctx) => {
  const c = ctx.lxd2.withProject(ctx.project);
  for (const i of await c.listInstances().catch(() => [])) {
    if (i.status !== 'Stopped') await c.setInstanceState(i.name, { action: 'stop', force: true }).catch(() => undefined);
    await c.deleteInstance(i.name).catch(() => undefined);
  }
  for (const p of await c.listProfiles().catch(() => [])) if (p.name !== 'default') await c.deleteProfile(p.name).catch(() => undefined);
  await ctx.lxd2.deleteProject(ctx.project).catch(() => undefined);
  const st = ctx.lxd2.withProject(`lxplan-state-${ctx.stateName}`);
  for (const p of await st.listProfiles().catch(() => [])) if (p.name !== 'default') await st.deleteProfile(p.name).catch(() => undefined);
  await ctx.lxd2.deleteProject(`lxplan-state-${ctx.stateName}`).catch(() => undefined);
  if (ctx.clientFp) await ctx.lxd2.request('DELETE', `/1.0/certificates/${ctx.clientFp}`).catch(() => undefined);
  await exec('lxc', ['config', 'trust', 'revoke-token', ctx.token], { env: lxd2Env }).catch(() => undefined);
  ctx.lxd2.close();
  await rm(ctx.tmp, { recursive: true, force: true });
});

it('GitHub Actions: the plan job saves a plan, the apply job on another machine applies that artifact, then No changes; the artifact again is stale', async (ctx) => {
  const wf = parseYaml(await readFile(path.join(EXAMPLE, 'github/lxplan.yml'), 'utf8')) as { env: Record<string, string>; jobs: Record<string, GithubJob> };
  const { plan: planJob, apply: applyJob } = wf.jobs;
  // The shape the example promises: two jobs on hosted runners (two machines), the plan handed on as an artifact, secrets only.
  assert.is(planJob['runs-on'], 'ubuntu-latest');
  assert.is(applyJob['runs-on'], 'ubuntu-latest');
  assert.is(applyJob.needs, 'plan');
  const upload = planJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
  const download = applyJob.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
  assert.is(download.with!.name, upload.with!.name);
  assert.match(upload.with!.path, 'plan.json');
  assert.ok(
    planJob.steps.some((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment') && s.with?.path === 'plan.md'),
    'the plan is posted as a comment',
  );
  for (const k of ['LXPLAN_REMOTE_URL', 'LXPLAN_SERVER_FINGERPRINT', 'LXPLAN_CLIENT_CERT', 'LXPLAN_CLIENT_KEY'])
    assert.is(wf.env[k], `\${{ secrets.${k} }}`, `${k} comes from a secret`);
  assert.match(wf.env.LXPLAN_STATE, /^lxd:/);
  const planStep = planJob.steps.find((s) => s.id === 'plan')!.run!;
  const applyStep = applyJob.steps.find((s) => s.id === 'apply')!.run!;
  const profile = ctx.lxd2.withProject(ctx.project);

  // The plan job, on machine A.
  const a = await checkout(ctx, 'gh-plan');
  const output = path.join(a, 'github-output');
  const planned = await shell(planStep, a, { ...runnerEnv(ctx, wf.env, a), GITHUB_OUTPUT: output });
  assert.is(planned.code, 0, showRun(planned));
  assert.is(await readFile(output, 'utf8'), 'exitcode=2\n', 'changes planned: the apply job runs');
  const md = await readFile(path.join(a, 'plan.md'), 'utf8');
  assert.match(md, /\*\*Plan: 2 to add, 0 to change, 0 to destroy\.\*\*|Plan: 2 to add/);
  assert.match(md, 'instance app-1');
  assert.is(await memoryOf(profile, 'app'), 'missing', 'a plan changes nothing');

  // The artifact goes to machine B, which has only its own checkout and the secrets.
  const b = await checkout(ctx, 'gh-apply');
  for (const f of ['plan.json', 'plan.md']) await copyFile(path.join(a, f), path.join(b, f));
  await rm(a, { recursive: true, force: true });
  const applied = await shell(applyStep, b, runnerEnv(ctx, wf.env, b));
  assert.is(applied.code, 0, showRun(applied));
  assert.match(applied.stdout, 'Apply complete');
  assert.is(await memoryOf(profile, 'app'), '256MB');
  const inst = (await profile.listInstances()).map((i) => `${i.name} ${i.status}`);
  assert.equal(inst, ['app-1 Running']);

  // Another plan job, on machine C: nothing left to do.
  const c = await checkout(ctx, 'gh-plan-2');
  const output2 = path.join(c, 'github-output');
  const again = await shell(planStep, c, { ...runnerEnv(ctx, wf.env, c), GITHUB_OUTPUT: output2 });
  assert.is(again.code, 0, showRun(again));
  assert.is(await readFile(output2, 'utf8'), 'exitcode=0\n', 'no changes: the apply job is skipped');
  assert.match(await readFile(path.join(c, 'plan.md'), 'utf8'), 'No changes.');

  // The same artifact applied again (a re-run of the apply job): stale, refused, nothing changed.
  const rerun = await shell(applyStep, b, runnerEnv(ctx, wf.env, b));
  assert.is(rerun.code, 1, showRun(rerun));
  assert.match(rerun.stderr, 'is stale: the state changed since it was made');
  assert.is(await memoryOf(profile, 'app'), '256MB');
});

it('GitLab CI: a change planned by the plan job and applied from its artifact by the apply job on another runner', async (ctx) => {
  const ci = parseYaml(await readFile(path.join(EXAMPLE, 'gitlab/.gitlab-ci.yml'), 'utf8')) as Record<string, unknown> & {
    variables: Record<string, string>;
    plan: GitlabJob;
    apply: GitlabJob;
  };
  assert.equal(ci.apply.needs, ['plan']);
  assert.ok(ci.plan.artifacts!.paths.includes('plan.json'));
  const profile = ctx.lxd2.withProject(ctx.project);
  // GitLab's CI/CD variables are the secrets, in the environment.
  const vars = { ...ci.variables, ...ctx.secrets };

  const a = await checkout(ctx, 'gl-plan');
  await writeFile(path.join(a, 'infra/lxplan.yaml'), (await readFile(path.join(a, 'infra/lxplan.yaml'), 'utf8')).replace('memory: 256MB', 'memory: 512MB'));
  const planned = await shell(ci.plan.script.join('\n'), a, runnerEnv(ctx, vars, a));
  assert.is(planned.code, 0, showRun(planned));
  assert.is((await readFile(path.join(a, 'plan.exitcode'), 'utf8')).trim(), '2');
  assert.match(await readFile(path.join(a, 'plan.md'), 'utf8'), '256MB -> 512MB');
  assert.is(await memoryOf(profile, 'app'), '256MB');

  const b = await checkout(ctx, 'gl-apply');
  // The job's checkout is the merged commit: the same manifests the plan was made from.
  await copyFile(path.join(a, 'infra/lxplan.yaml'), path.join(b, 'infra/lxplan.yaml'));
  for (const f of ci.plan.artifacts!.paths) await copyFile(path.join(a, f), path.join(b, f));
  const applied = await shell(ci.apply.script.join('\n'), b, runnerEnv(ctx, vars, b));
  assert.is(applied.code, 0, showRun(applied));
  assert.is(await memoryOf(profile, 'app'), '512MB');

  // And once more from a third runner, to leave the server as it was: destroy everything the example made.
  const d = await checkout(ctx, 'gl-destroy');
  const destroyed = await shell('lxapply --destroy --auto-approve --allow-delete infra', d, runnerEnv(ctx, vars, d));
  assert.is(destroyed.code, 0, showRun(destroyed));
  assert.equal(await profile.listInstances(), []);
});

it.run();
