/**
 * A sample of the corpus of broken manifests (test/corpus), through the real commands against
 * the real daemon: lxplan and lxapply --auto-approve each exit 1, print the case's error (and
 * nothing else) on stderr, nothing on stdout, and leave the LXD project exactly as it was.
 * Then a corrupt state file next to a valid manifest: the same, with the state.format error.
 *
 * The commands run from the repository root (cli.ts), so paths read as in expected.txt.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyState, serialize, withEntry } from '../../src/state/index.js';
import { manifestDir, run, show, type CliResult } from './cli.js';
import { throwawayProject } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CORPUS = 'test/corpus';

/** One of each kind of problem: syntax, encoding, duplicates across files, unknown key, values, names, references, files, structure. */
const SAMPLE = [
  'tab-indentation',
  'latin1-not-utf8',
  'duplicate-instance-across-files',
  'unknown-key-typo-required',
  'memory-12XB',
  'cpu-range-backwards',
  'limit-in-limits-and-config',
  'name-starts-with-digit',
  'dangling-profile',
  'image-metadata-missing',
  'manifest-path-does-not-exist',
  'dangling-symlink',
  'alias-bomb',
];

type Ctx = { project: Awaited<ReturnType<typeof throwawayProject>>; stateDir: string };
const cli = suite<Ctx>('broken manifests and state through the CLI');

cli.before(async (ctx) => {
  ctx.stateDir = await mkdtemp(path.join(tmpdir(), 'lxplan-corpus-state-'));
  ctx.project = await throwawayProject();
});
cli.after(async (ctx) => {
  await ctx.project?.cleanup();
  if (ctx.stateDir) await rm(ctx.stateDir, { recursive: true, force: true });
});

/** What LXD has in the project: instances, profiles (with config and devices) and images. */
async function snapshot(ctx: Ctx): Promise<string> {
  const { client } = ctx.project;
  const [i, p, im] = await Promise.all([client.listInstances(), client.listProfiles(), client.listImages()]);
  return JSON.stringify({
    i: i.map((x) => [x.name, x.config, x.devices, x.status]),
    p: p.map((x) => [x.name, x.description, x.config, x.devices]),
    im: im.map((x) => [x.fingerprint, x.aliases]),
  });
}

/** Both commands, as a user (or CI) would run them; one after the other (they may lock the same state). */
async function bothCommands(ctx: Ctx, target: string, extra: string[] = []): Promise<CliResult[]> {
  return [
    await run('lxplan', ['--project', ctx.project.name, ...extra, target]),
    await run('lxapply', ['--auto-approve', '--project', ctx.project.name, ...extra, target]),
  ];
}

/** Exit 1, exactly `expected` (the error, with its hint) on stderr, nothing on stdout. */
function refused(r: CliResult, expected: string[]): void {
  assert.is(r.code, 1, show(r));
  assert.is(r.stdout, '', `nothing but the error is printed\n${show(r)}`);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  assert.equal(lines.slice(0, expected.length), [`Error: ${expected[0]}`, ...expected.slice(1)], show(r));
  assert.is(lines.filter((l) => l.startsWith('Error:')).length, 1, `one error\n${show(r)}`);
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

for (const suffix of SAMPLE) {
  cli(`corpus case *-${suffix}: exit 1, its error only, LXD unchanged`, async (ctx) => {
    const name = readdirSync(path.join(ROOT, CORPUS)).find((n) => n.endsWith(`-${suffix}`) && /^\d{3}-/.test(n));
    assert.ok(name, `no corpus case ends with -${suffix}`);
    const dir = path.join(ROOT, CORPUS, name);
    const meta = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as { target?: string };
    const expected = readFileSync(path.join(dir, 'expected.txt'), 'utf8').replace(/\n$/, '').split('\n');
    const target = `${CORPUS}/${name}${meta.target ? `/${meta.target}` : ''}`;
    const statePath = path.join(ctx.stateDir, `${name}.state.json`);
    const files = listing(dir);
    const before = await snapshot(ctx);
    for (const r of await bothCommands(ctx, target, ['--state', statePath])) refused(r, expected);
    assert.is(await snapshot(ctx), before, 'LXD is unchanged');
    assert.equal(listing(dir), files, 'nothing was written into the case folder');
    assert.equal(
      readdirSync(ctx.stateDir).filter((f) => f.startsWith(name)),
      [],
      'no state, lock or backup file was made',
    );
  });
}

cli('a corrupt state file next to a valid manifest: exit 1 with the state.format error, LXD and the file unchanged', async (ctx) => {
  const m = await manifestDir({ 'lxplan.yaml': 'profiles:\n  small:\n    description: would be created\n' });
  try {
    const p = path.join(m.dir, 'lxplan.state.json');
    const good = serialize({ ...withEntry(emptyState(), 'profile.other', { kind: 'profile', name: 'other', since: '2026-11-23T21:40:00.000Z' }), serial: 3 });
    const cut = good.slice(0, good.indexOf('"serial": ') + '"serial": '.length);
    await writeFile(p, cut);
    const before = await snapshot(ctx);
    const files = (await readdir(m.dir)).sort();
    for (const r of await bothCommands(ctx, m.dir)) {
      refused(r, [
        `state file ${p} is corrupt (not valid JSON: Unexpected end of JSON input); there is no backup (${p}.backup does not exist)`,
        '  hint: restore lxplan.state.json from where you keep it (version control, CI artifacts), or start a new state and adopt the objects again with lxplan import',
      ]);
    }
    assert.is(await snapshot(ctx), before, 'LXD is unchanged');
    assert.is(await readFile(p, 'utf8'), cut, 'the state file is untouched');
    assert.equal((await readdir(m.dir)).sort(), files, 'no lock, backup or temporary file left');
    assert.not.ok(existsSync(`${p}.lock`));
  } finally {
    await m.cleanup();
  }
});

cli.run();
