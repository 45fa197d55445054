#!/usr/bin/env node
/**
 * `npm run bench`: lxplan's speed, measured side by side with the tools people would use
 * instead, against the real local LXD, each comparison in its own throwaway LXD project.
 *
 *  1. start-up: `lxplan --help` and `lxapply --help` against `node -e 0`;
 *  2. 30 containers, side by side in every round (tool order rotated each round):
 *     create (started, with limits), no-op, live limits change, delete:
 *     lxapply  vs  an `lxc` loop run by `xargs -P4`  vs  Ansible's community.general.lxd_container;
 *     then one untimed lxapply round through a counting proxy: the requests each step sends;
 *  3. scale: the no-op plan over 30, 300 and 1,000 real instances, with the HTTP requests each
 *     plan makes (lxplan's own counter, and a counting proxy in front of the CLI), its peak
 *     memory and a per-phase breakdown (bench/plan-phases.mjs);
 *  4. remote: the same over HTTPS to the second LXD (scripts/lxd2-up.sh), secrets in the
 *     environment, the state kept on the daemon; 5. cluster: on the two-member cluster
 *     (scripts/cluster-up.sh), instances spread over m1 and m2 (bench/many-hosts.mjs). Each
 *     starts its daemon with that script, or is skipped saying why; written to their own block
 *     of docs/benchmarks.md (bench-many markers), so BENCH_ONLY=remote,cluster refreshes them alone.
 *
 * Every figure is the median of BENCH_RUNS runs (default 3). Results are printed and written
 * into docs/benchmarks.md between <!-- bench:start --> and <!-- bench:end -->.
 *
 * Environment:
 *   BENCH_RUNS=N        runs per measurement (default 3; 1 with BENCH_QUICK)
 *   BENCH_QUICK=1       smoke run: 10 containers, scale 10/50, no Ansible, docs left alone
 *   BENCH_ONLY=a,b      sections to run: startup, compare, scale, remote, cluster (default: all)
 *   BENCH_ANSIBLE=0     leave Ansible out
 *   BENCH_WRITE=0|1     write docs/benchmarks.md (default 1, 0 with BENCH_QUICK)
 *   BENCH_PARALLELISM=N pass --parallelism N to lxapply (default: lxapply's own default)
 */
import { cpus, release, totalmem } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  benchProject,
  check,
  closeLxd,
  countingProxy,
  detectTools,
  expectInstances,
  fmtMB,
  fmtMs,
  fmtRatio,
  lxd,
  lxdVersion,
  median,
  purgeAllLive,
  purgeProject,
  removeScratch,
  ROOT,
  run,
  scratch,
  sh,
  snapshotBuild,
  SOCKET,
  stopChildren,
  sweepStale,
  timed,
  writeManifest,
} from './lib.mjs';
import { clusterSection, remoteSection } from './many-hosts.mjs';

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const RUNS = Math.max(1, Number(env.BENCH_RUNS ?? (QUICK ? 1 : 3)));
const N = QUICK ? 10 : 30; // containers in the side-by-side comparisons
const SIZES = QUICK ? [10, 50] : [30, 300, 1000]; // no-op plan at scale
const RUNNING_MAX = QUICK ? 50 : 300; // at scale, instances beyond this many are created stopped
const XARGS_P = 4;
const STARTUP_SAMPLES = RUNS * 5;
const ONLY = new Set((env.BENCH_ONLY ?? 'startup,compare,scale,remote,cluster').split(',').map((s) => s.trim()));
const MANY_SIZES = QUICK ? [10, 30] : [30, 300]; // remote and cluster rows
const MANY_RUNNING = QUICK ? 10 : 30; // of which at most this many running
const START_MANY = '<!-- bench-many:start -->';
const END_MANY = '<!-- bench-many:end -->';
const WRITE = (env.BENCH_WRITE ?? (QUICK ? '0' : '1')) === '1';
const LXAPPLY_EXTRA = env.BENCH_PARALLELISM ? ['--parallelism', env.BENCH_PARALLELISM] : [];
const DOC = path.join(ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const results = { samples: {}, cpu: {}, rss: {}, phases: {}, requests: {}, cliRequests: {}, applyRequests: {}, setup: [], errors: [], many: {} };
const sample = (key, ms) => (results.samples[key] ??= []).push(ms);
/** Records a timed run: its wall time and how busy the machine's CPUs were meanwhile. */
const record = (key, r) => {
  sample(key, r.ms);
  if (r.cpuBusy !== undefined) (results.cpu[key] ??= []).push(r.cpuBusy);
};
const med = (key) => median(results.samples[key] ?? []);

let SNAP; // frozen copy of the build
let IMAGE; // busybox image tarballs
let tools;
let deleteFlags = [];

const lxplan = (args, opts) => timed(process.execPath, [path.join(SNAP, 'bin/lxplan.js'), ...args], opts);
const lxapply = (args, opts) => timed(process.execPath, [path.join(SNAP, 'bin/lxapply.js'), '--auto-approve', ...LXAPPLY_EXTRA, ...args], opts);

// --- 1. start-up ---

async function startup() {
  log(`start-up: ${STARTUP_SAMPLES} samples each`);
  const cmds = {
    'node -e 0': ['-e', '0'],
    'lxplan --help': [path.join(SNAP, 'bin/lxplan.js'), '--help'],
    'lxapply --help': [path.join(SNAP, 'bin/lxapply.js'), '--help'],
  };
  for (let i = 0; i < STARTUP_SAMPLES; i++) {
    for (const [name, args] of Object.entries(cmds)) {
      const r = check(await timed(process.execPath, args, { rss: true }));
      sample(`startup:${name}`, r.ms);
      (results.rss[`startup:${name}`] ??= []).push(r.maxRssKb);
    }
  }
}

// --- 2. N containers side by side ---

const seqXargs = (cmd) => `seq 1 ${N} | xargs -P${XARGS_P} -I{} ${cmd}`;

async function lxcRound() {
  const p = await benchProject('lxc', IMAGE);
  try {
    let r = check(await timed('bash', ['-c', seqXargs(`lxc launch busybox c-{} --project ${p} -c limits.memory=128MB -c limits.cpu=1 -q`)]));
    await expectInstances(p, { n: N, memory: '128MB' });
    record('create:lxc', r);
    r = check(await timed('bash', ['-c', seqXargs(`lxc config set c-{} limits.memory=256MB --project ${p}`)]));
    await expectInstances(p, { n: N, memory: '256MB' });
    record('update:lxc', r);
    r = check(await timed('bash', ['-c', seqXargs(`lxc delete --force c-{} --project ${p} -q`)]));
    await expectInstances(p, { n: 0 });
    record('delete:lxc', r);
  } finally {
    await purgeProject(p);
  }
}

async function lxapplyRound(round) {
  const p = await benchProject('lxapply', IMAGE);
  const dir = path.join(await scratch(), `lxapply-${round}`);
  try {
    await writeManifest(dir, { n: N, memory: '128MB' });
    let r = check(await lxapply(['--project', p, dir]));
    await expectInstances(p, { n: N, memory: '128MB' });
    record('create:lxapply', r);
    r = check(await lxplan(['--project', p, '--detailed-exitcode', dir]));
    record('noop:lxplan', r);
    await writeManifest(dir, { n: N, memory: '256MB' });
    r = check(await lxapply(['--project', p, dir]));
    await expectInstances(p, { n: N, memory: '256MB' });
    record('update:lxapply', r);
    await writeManifest(dir, { n: 0 });
    r = check(await lxapply(['--project', p, ...deleteFlags, dir]));
    await expectInstances(p, { n: 0 });
    record('delete:lxapply', r);
  } finally {
    await purgeProject(p);
    await rm(dir, { recursive: true, force: true });
  }
}

async function ansibleRound() {
  const p = await benchProject('ansible', IMAGE);
  const playbook = [
    '-i',
    'localhost,',
    '-c',
    'local',
    path.join(ROOT, 'bench/ansible/containers.yml'),
    '-e',
    `project=${p}`,
    '-e',
    `count=${N}`,
    '-e',
    'memory=128MB',
    '-e',
    `socket=${SOCKET}`,
  ];
  const aenv = { env: { ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False', ANSIBLE_NOCOLOR: '1' } };
  try {
    let r = check(await timed('ansible-playbook', playbook, aenv));
    await expectInstances(p, { n: N, memory: '128MB' });
    record('create:ansible', r);
    r = check(await timed('ansible-playbook', playbook, aenv));
    if (!/changed=0\b/.test(r.stdout)) throw new Error(`Ansible's second run changed something:\n${r.stdout.slice(-500)}`);
    record('noop:ansible', r);
  } finally {
    await purgeProject(p);
  }
}

/** One more lxapply round, untimed, through the counting proxy: what each step asks LXD. */
async function lxapplyRequestsRound() {
  const p = await benchProject('requests', IMAGE);
  const dir = path.join(await scratch(), 'requests');
  const proxy = await countingProxy();
  const step = async (name, manifest, flags = []) => {
    await writeManifest(dir, manifest);
    proxy.requests.length = 0;
    check(await lxapply(['--project', p, '--socket', proxy.socketPath, ...flags, dir]));
    const kinds = {};
    for (const r of proxy.requests) {
      const k = r
        .replace(/\?.*$/, '')
        .replace(/\/c-\d+/, '/NAME')
        .replace(/\/operations\/[^/]+/, '/operations/ID');
      kinds[k] = (kinds[k] ?? 0) + 1;
    }
    results.applyRequests[name] = { total: proxy.requests.length, kinds };
  };
  try {
    await step('create', { n: N, memory: '128MB' });
    await step('update', { n: N, memory: '256MB' });
    await step('delete', { n: 0 }, deleteFlags);
  } finally {
    await proxy.close();
    await purgeProject(p);
    await rm(dir, { recursive: true, force: true });
  }
}

async function compare() {
  const rounds = { lxc: lxcRound, lxapply: lxapplyRound, ...(tools.ansible && !tools.ansibleSkipped ? { ansible: ansibleRound } : {}) };
  const names = Object.keys(rounds);
  for (let round = 0; round < RUNS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]); // each tool goes first in turn
    for (const name of order) {
      log(`compare ${N} containers, round ${round + 1}/${RUNS}: ${name}`);
      await rounds[name](round);
    }
  }
  log('compare: counting the requests of lxapply (one more round, untimed)');
  await lxapplyRequestsRound();
}

// --- 3. no-op plan at scale ---

async function scale() {
  const p = await benchProject('scale', IMAGE, { image: false }); // the manifest declares the image: lxapply uploads it, plans hash it
  const dir = path.join(await scratch(), 'scale');
  const state = path.join(dir, 'lxplan.state.json');
  let have = 0;
  try {
    for (const size of SIZES) {
      const running = Math.min(size, RUNNING_MAX);
      await writeManifest(dir, { n: size, imageDir: IMAGE, stoppedFrom: RUNNING_MAX + 1 });
      log(`scale: growing to ${size} instances (${running} running)`);
      const grow = check(await lxapply(['--project', p, dir]));
      await expectInstances(p, { n: size, running });
      const added = size - have;
      const addedRunning = Math.max(0, running - Math.min(have, RUNNING_MAX));
      results.setup.push(
        `lxapply created ${added} more instances (${addedRunning} started, ${added - addedRunning} stopped${have === 0 ? ', and uploaded the image' : ''}) in ${fmtMs(grow.ms)}`,
      );
      have = size;
      for (let k = 0; k < RUNS; k++) {
        log(`scale: no-op plan over ${size}, run ${k + 1}/${RUNS}`);
        const r = check(await lxplan(['--project', p, '--detailed-exitcode', dir], { rss: true }));
        sample(`scale:${size}`, r.ms);
        (results.rss[`scale:${size}`] ??= []).push(r.maxRssKb);
        const ph = check(await run(process.execPath, [path.join(ROOT, 'bench/plan-phases.mjs'), SNAP, dir, state, p]));
        const out = JSON.parse(ph.stdout.trim().split('\n').pop());
        if (out.summary.add + out.summary.change + out.summary.destroy !== 0)
          throw new Error(`the plan over ${size} is not a no-op: ${JSON.stringify(out.summary)}`);
        const phases = (results.phases[size] ??= {});
        for (const [name, v] of Object.entries({ ...out.phases, total: out.total, maxRssKb: out.maxRssKb })) (phases[name] ??= []).push(v);
        (results.requests[size] ??= new Set()).add(`${out.requests}/${out.sessionRequests}`);
      }
      // What the CLI itself asks LXD: one more (untimed) plan through a counting proxy.
      const proxy = await countingProxy();
      try {
        check(await lxplan(['--project', p, '--socket', proxy.socketPath, '--detailed-exitcode', dir]));
        results.cliRequests[size] = [...proxy.requests];
      } finally {
        await proxy.close();
      }
    }
  } finally {
    log(`scale: deleting the ${have} instances`);
    const started = Date.now();
    await purgeProject(p);
    results.setup.push(`deleting all ${have} (REST, 8 at a time, running ones force-stopped) took ${fmtMs(Date.now() - started)}`);
    await rm(dir, { recursive: true, force: true });
  }
}

// --- report ---

const yes = (ok) => (ok === undefined ? '' : ok ? 'yes' : '**no**');

function report(meta) {
  const L = [];
  const s = (k) => results.samples[k];
  const row = (...cells) => L.push(`| ${cells.join(' | ')} |`);
  L.push(`_Generated by \`${meta.command}\` on ${meta.date}. Do not edit between the markers: rerun to refresh._`, '');
  row('', '');
  row('---', '---');
  row('machine', `${meta.cores} cores (${meta.cpu}), ${meta.memGiB} GiB memory, Linux ${meta.kernel}`);
  row('LXD', `${meta.lxd} (storage pool \`default\`: ${meta.pool})`);
  row('Node', meta.node);
  row(
    'Ansible',
    tools.ansibleSkipped ??
      (tools.ansible ? `${tools.ansible}, community.general ${meta.cgVersion}` : 'not installed: left out (`apt-get install -y ansible`)'),
  );
  row('lxplan', `commit ${meta.commit}${meta.dirty ? ' plus uncommitted changes' : ''}, from a frozen copy of dist/`);
  row('runs', `${RUNS} per measurement; every figure is the median`);
  L.push('');

  // Targets
  const targets = [];
  const create = med('create:lxapply');
  if (s('create:lxapply') && s('create:lxc'))
    targets.push([`create ${N}: lxapply within 1.15x of the lxc loop`, fmtRatio(create / med('create:lxc')), create / med('create:lxc') <= 1.15]);
  if (s('create:lxapply') && s('create:ansible'))
    targets.push([`create ${N}: lxapply at least 4x faster than Ansible`, fmtRatio(med('create:ansible') / create), med('create:ansible') / create >= 4]);
  if (s(`scale:30`)) targets.push(['no-op plan over 30 instances under 0.5 s', fmtMs(med('scale:30')), med('scale:30') <= 500]);
  if (s(`scale:300`)) targets.push(['no-op plan over 300 instances under 1 s', fmtMs(med('scale:300')), med('scale:300') <= 1000]);
  const reqSizes = Object.keys(results.cliRequests);
  if (reqSizes.length > 1) {
    const all = new Set(reqSizes.map((k) => results.cliRequests[k].length));
    const inProcess = new Set(Object.values(results.requests).flatMap((x) => [...x]));
    targets.push([
      'HTTP requests per plan do not grow with the instances',
      reqSizes.map((k) => `${results.cliRequests[k].length} at ${k}`).join(', '),
      all.size === 1 && inProcess.size === 1,
    ]);
  }
  const big = SIZES[SIZES.length - 1];
  if (results.rss[`scale:${big}`]) {
    const rss = median(results.rss[`scale:${big}`]);
    targets.push([`peak memory of a plan over ${big} instances under 200 MB`, fmtMB(rss), rss < 200 * 1024]);
  }
  if (targets.length) {
    L.push('### Targets', '');
    row('target', 'measured', 'met');
    row('---', '---', '---');
    for (const [t, m, ok] of targets) row(t, m, yes(ok));
    L.push('');
  }

  // Side by side
  if (s('create:lxapply') || s('create:lxc')) {
    L.push(`### ${N} busybox containers, side by side`, '');
    L.push(
      `Each round runs every tool in its own new project, in rotated order. lxapply runs with ${LXAPPLY_EXTRA.length ? `--parallelism ${env.BENCH_PARALLELISM}` : `its default parallelism (${meta.parallelism})`}; the lxc loop is \`xargs -P${XARGS_P}\`; Ansible loops over the containers in one task.`,
      '',
    );
    row('operation', 'lxapply', `lxc loop (-P${XARGS_P})`, 'lxapply / lxc', 'Ansible', 'Ansible / lxapply');
    row('---', '---:', '---:', '---:', '---:', '---:');
    const cmp = (label, a, b, c) =>
      row(
        label,
        fmtMs(med(a)),
        b ? fmtMs(med(b)) : '',
        b ? fmtRatio(med(a) / med(b)) : '',
        c && s(c) ? fmtMs(med(c)) : '',
        c && s(c) ? fmtRatio(med(c) / med(a)) : '',
      );
    cmp(`create ${N}, started, with limits`, 'create:lxapply', 'create:lxc', 'create:ansible');
    cmp(`no-op (lxplan / Ansible re-run)`, 'noop:lxplan', undefined, 'noop:ansible');
    cmp(`live change of limits.memory on ${N} running`, 'update:lxapply', 'update:lxc');
    cmp(`delete ${N} running`, 'delete:lxapply', 'delete:lxc');
    L.push('');
    const busy = (k) => (results.cpu[k] ? `${Math.round(100 * median(results.cpu[k]))}%` : undefined);
    const busyCreate = [
      ['lxapply', 'create:lxapply'],
      ['lxc loop', 'create:lxc'],
      ['Ansible', 'create:ansible'],
    ]
      .filter(([, k]) => busy(k))
      .map(([t, k]) => `${t} ${busy(k)}`);
    if (busyCreate.length) L.push(`Machine CPU busy while creating (median share of both cores, whoever used it): ${busyCreate.join(', ')}.`, '');
    if (Object.keys(results.applyRequests).length) {
      L.push(`HTTP requests lxapply sent to LXD (one more round, untimed, through the counting proxy; NAME is one of the ${N}):`, '');
      for (const [name, { total, kinds }] of Object.entries(results.applyRequests)) {
        L.push(
          `- ${name}: ${total} = ${Object.entries(kinds)
            .map(([k, v]) => `${v} \`${k}\``)
            .join(' + ')}`,
        );
      }
      L.push('');
    }
  }

  // Scale
  const sizes = SIZES.filter((n) => s(`scale:${n}`));
  if (sizes.length) {
    L.push('### No-op plan at scale', '');
    L.push(
      `Real instances in LXD: up to ${RUNNING_MAX} running, the rest stopped. \`lxplan --detailed-exitcode\` (CLI, wall time) and, in a separate fresh process each time, the same plan in-process (bench/plan-phases.mjs) for the phases and the request count.`,
      '',
    );
    row('instances', 'lxplan (CLI)', 'HTTP requests (CLI)', 'HTTP requests (in-process: read LXD / openSession)', 'peak RSS (CLI)', 'peak RSS (in-process)');
    row('---:', '---:', '---:', '---', '---:', '---:');
    for (const n of sizes) {
      row(
        n,
        fmtMs(med(`scale:${n}`)),
        results.cliRequests[n]?.length ?? 'n/a',
        [...(results.requests[n] ?? [])].join(', '),
        fmtMB(median(results.rss[`scale:${n}`] ?? [])),
        fmtMB(median(results.phases[n]?.maxRssKb ?? [])),
      );
    }
    L.push('');
    const biggest = sizes[sizes.length - 1];
    if (results.cliRequests[biggest])
      L.push(
        `The CLI's requests over ${biggest} instances, as seen by the counting proxy: ${results.cliRequests[biggest].map((r) => `\`${r.replace(/project=[^&]+/, 'project=P')}\``).join(', ')}.`,
        '',
      );
    const names = [
      ['import', 'import modules'],
      ['load', 'load manifests (YAML, schema, normalise)'],
      ['hash', 'hash images'],
      ['lock', 'lock + read state'],
      ['read', 'read LXD (list requests)'],
      ['plan', 'plan'],
      ['unlock', 'unlock'],
      ['render', 'render'],
      ['total', 'total in-process'],
    ];
    L.push('Per phase (median ms, in-process):', '');
    row('phase', ...sizes.map((n) => `${n}`));
    row('---', ...sizes.map(() => '---:'));
    for (const [k, label] of names) row(label, ...sizes.map((n) => fmtMs(median(results.phases[n]?.[k] ?? []))));
    row('CLI wall time (node + oclif start-up + the above + printing)', ...sizes.map((n) => fmtMs(med(`scale:${n}`))));
    L.push('');
    if (results.setup.length) L.push('Setting up:', '', ...results.setup.map((x) => `- ${x}`), '');
  }

  // Start-up
  if (s('startup:node -e 0')) {
    const base = med('startup:node -e 0');
    L.push('### Start-up', '');
    row('command', 'median', 'ratio to `node -e 0`', 'above `node -e 0`', 'peak RSS');
    row('---', '---:', '---:', '---:', '---:');
    for (const c of ['node -e 0', 'lxplan --help', 'lxapply --help']) {
      row(
        `\`${c}\``,
        fmtMs(med(`startup:${c}`)),
        fmtRatio(med(`startup:${c}`) / base),
        c === 'node -e 0' ? '' : fmtMs(med(`startup:${c}`) - base),
        fmtMB(median(results.rss[`startup:${c}`] ?? [])),
      );
    }
    L.push('');
  }

  // Misses
  const missed = targets.filter(([, , ok]) => ok === false);
  if (missed.length) {
    L.push('### Targets missed in this run', '');
    for (const [t, m] of missed) {
      let why = '';
      const size = /over (\d+)/.exec(t)?.[1];
      if (size && results.phases[size]) {
        const ph = Object.entries(results.phases[size])
          .filter(([k]) => k !== 'total' && k !== 'maxRssKb')
          .map(([k, v]) => [k, median(v)])
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3);
        why = `; largest phases: ${ph.map(([k, v]) => `${k} ${fmtMs(v)}`).join(', ')}`;
      }
      L.push(`- ${t}: ${m}${why}`);
    }
    L.push('');
  }

  if (results.errors.length) {
    L.push('### Sections that failed', '', ...results.errors.map((e) => `- ${e}`), '');
  }

  L.push('<details><summary>All samples (ms)</summary>', '');
  for (const [k, v] of Object.entries(results.samples)) L.push(`- ${k}: ${v.map((x) => Math.round(x)).join(', ')}`);
  L.push('', '</details>');
  return L.join('\n');
}

async function writeDoc(section, start = START, end = END) {
  const block = `${start}\n${section}\n${end}`;
  let text = await readFile(DOC, 'utf8').catch(() => undefined);
  if (text === undefined) {
    text = `# Benchmarks\n\nMeasured by \`npm run bench\` (bench/run.mjs). See below for how each figure is measured.\n\n${block}\n`;
  } else if (text.includes(start) && text.includes(end)) {
    text = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
  } else {
    text = `${text.trimEnd()}\n\n${block}\n`;
  }
  await writeFile(DOC, text);
  log(`wrote ${path.relative(process.cwd(), DOC)}`);
}

/** The remote (HTTPS) and cluster rows: their own block of docs/benchmarks.md. */
function reportMany(meta) {
  const L = [];
  const row = (...cells) => L.push(`| ${cells.join(' | ')} |`);
  L.push(
    `_Generated by \`${meta.command}\` on ${meta.date}: ${meta.cores} cores (${meta.cpu}), ${meta.memGiB} GiB memory, Linux ${meta.kernel}, Node ${meta.node}, lxplan commit ${meta.commit}${meta.dirty ? ' plus uncommitted changes' : ''}. Median of ${RUNS} runs. Do not edit between the markers: rerun to refresh._`,
    '',
  );
  const titles = {
    remote: 'Over HTTPS (the second LXD; secrets in the environment, state kept on the daemon: `--state lxd:NAME`)',
    cluster: "On a two-member cluster (through m1's unix socket; instances spread over the members with `target:`)",
  };
  for (const key of ['remote', 'cluster']) {
    const r = results.many[key];
    if (!ONLY.has(key)) continue;
    L.push(`### ${titles[key]}`, '');
    if (!r) {
      L.push(`Not measured: the section failed (see "Sections that failed").`, '');
      continue;
    }
    if (r.skipped) {
      L.push(`Skipped: ${r.skipped}.`, '');
      continue;
    }
    L.push(`Daemon: ${r.daemon}.`, '');
    row(
      'instances',
      'running',
      'placed',
      'lxapply: create the new ones',
      'no-op `lxplan` (CLI)',
      'peak RSS (CLI)',
      'requests per plan (in-process)',
      ...(key === 'cluster' ? ['requests per plan (CLI, counting proxy)'] : []),
    );
    row('---:', '---:', '---', '---:', '---:', '---:', '---:', ...(key === 'cluster' ? ['---:'] : []));
    for (const x of r.rows) {
      row(
        x.size,
        x.running,
        key === 'cluster'
          ? Object.entries(x.where)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')
          : 'one daemon',
        `${fmtMs(x.growMs)} (${x.added})`,
        fmtMs(x.planMs),
        fmtMB(x.rssKb),
        x.requests,
        ...(key === 'cluster' ? [x.cliRequests?.length ?? 'n/a'] : []),
      );
    }
    L.push('');
    const big = r.rows[r.rows.length - 1];
    if (big?.cliRequests)
      L.push(`The CLI's requests over ${big.size} instances: ${big.cliRequests.map((q) => `\`${q.replace(/project=[^&]+/, 'project=P')}\``).join(', ')}.`, '');
    L.push(`All samples (ms): ${r.rows.map((x) => `${x.size}: ${x.planSamples.map((v) => Math.round(v)).join(', ')}`).join('; ')}.`, '');
  }
  return L.join('\n');
}

async function meta() {
  const git = async (args) => (await run('git', args)).stdout.trim();
  const cg = await readFile('/usr/lib/python3/dist-packages/ansible_collections/community/general/MANIFEST.json', 'utf8')
    .then((t) => JSON.parse(t).collection_info.version)
    .catch(() => 'unknown');
  const pool = await lxd('GET', '/1.0/storage-pools/default')
    .then((x) => x.driver)
    .catch(() => 'unknown');
  const vars = Object.keys(env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${env[k]} `)
    .join('');
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `${vars}${env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node bench/run.mjs'}`,
    cores: cpus().length,
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    memGiB: (totalmem() / 2 ** 30).toFixed(1),
    kernel: release(),
    lxd: await lxdVersion(),
    pool,
    node: process.version,
    cgVersion: cg,
    commit: await git(['rev-parse', '--short', 'HEAD']),
    dirty: (await git(['status', '--porcelain', '--', 'src'])) !== '',
  };
}

// --- main ---

async function main() {
  tools = await detectTools();
  if (env.BENCH_ANSIBLE === '0' || QUICK) tools.ansibleSkipped = QUICK ? 'left out in quick mode' : 'left out (BENCH_ANSIBLE=0)';
  else if (!tools.ansible) log('Ansible (with community.general.lxd_container) is not installed: leaving it out. Install it with: apt-get install -y ansible');
  const swept = await sweepStale();
  if (swept.length) log(`deleted leftover projects of crashed runs: ${swept.join(', ')}`);
  SNAP = await snapshotBuild();
  IMAGE = path.join(await scratch(), 'image');
  await sh(`node scripts/make-busybox-image.mjs ${IMAGE} >/dev/null 2>&1`);
  // Removing instances from the manifests may need a flag (--allow-delete): use it when lxapply has it.
  const applySource = await readFile(path.join(SNAP, 'dist/src/cli/commands/apply.js'), 'utf8');
  deleteFlags = [...new Set([...applySource.matchAll(/'(allow-(?:destroy|delete))'\s*:\s*Flags/g)].map((x) => `--${x[1]}`))];
  const m = await meta();
  m.parallelism = /parallelism:\s*Flags\.integer\([^)]*default:\s*(\d+)/.exec(applySource)?.[1] ?? '?';
  log(
    `${RUNS} run(s) per measurement; ${QUICK ? 'quick mode; ' : ''}sections: ${[...ONLY].join(', ')}${deleteFlags.length ? `; lxapply delete flags: ${deleteFlags.join(' ')}` : ''}`,
  );

  const many = (fn, key) => async () => {
    results.many[key] = await fn({ snap: SNAP, image: IMAGE, sizes: MANY_SIZES, runs: RUNS, running: MANY_RUNNING, log: (x) => log(`${key}: ${x}`) });
    if (results.many[key].skipped) log(`${key}: skipped: ${results.many[key].skipped}`);
  };
  const sections = { startup, compare, scale, remote: many(remoteSection, 'remote'), cluster: many(clusterSection, 'cluster') };
  for (const [name, fn] of Object.entries(sections)) {
    if (!ONLY.has(name)) continue;
    const t = Date.now();
    try {
      await fn();
    } catch (e) {
      results.errors.push(`${name}: ${e.message.split('\n')[0]}`);
      log(`${name} failed: ${e.stack ?? e.message}`);
    }
    log(`${name}: ${fmtMs(Date.now() - t)}`);
  }

  const ranMain = ['startup', 'compare', 'scale'].some((x) => ONLY.has(x));
  const ranMany = ['remote', 'cluster'].some((x) => ONLY.has(x));
  if (ranMain) {
    const section = report(m);
    process.stdout.write(`\n${section}\n`);
    if (WRITE) await writeDoc(section);
  }
  if (ranMany) {
    const section = reportMany(m);
    process.stdout.write(`\n${section}\n`);
    if (WRITE) await writeDoc(section, START_MANY, END_MANY);
  }
  if (results.errors.length) process.exitCode = 1;
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${sig}: stopping the commands running and deleting the bench projects (again to leave at once)`);
    await stopChildren();
    await purgeAllLive();
    await removeScratch();
    process.exit(130);
  });
}

try {
  await main();
} finally {
  await purgeAllLive();
  await removeScratch();
  closeLxd();
}
