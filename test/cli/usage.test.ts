/**
 * Usage errors, as a user meets them: every command, run from the built bin/lxplan.js and
 * bin/lxapply.js with a misspelt flag (or a value, argument or command that is no option), exits 1
 * (never 2: that is what --detailed-exitcode means by "changes") with one line on stderr that
 * names the likely word, and nothing on stdout. Parsing fails before LXD or the state is touched,
 * so these need no LXD.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, show } from '../integration/cli.js';
import { likely } from '../../src/cli/usage.js';
import { lxplanArgs } from '../../src/cli/dispatch.js';
import { commandArgs } from '../../src/workflow/session.js';

const it = suite('usage errors');
const DIR = 'examples/web';

const CASES: Array<{ bin: 'lxplan' | 'lxapply'; args: string[]; stderr: string }> = [
  // Each command with a misspelt flag.
  { bin: 'lxplan', args: ['--detailed-exitcode', '--formt', 'markdown', DIR], stderr: 'unknown flag --formt: did you mean --format?' },
  { bin: 'lxplan', args: ['apply', '--auto-aprove', DIR], stderr: 'unknown flag --auto-aprove: did you mean --auto-approve?' },
  { bin: 'lxapply', args: [DIR, '--auto-aprove'], stderr: 'unknown flag --auto-aprove: did you mean --auto-approve?' },
  { bin: 'lxplan', args: ['validate', '--hepl', DIR], stderr: 'unknown flag --hepl: did you mean --help?' },
  // Nothing close: where the flags are listed.
  { bin: 'lxplan', args: ['validate', '--stat', 'x.json', DIR], stderr: 'unknown flag --stat; lxplan validate --help lists the flags' },
  { bin: 'lxplan', args: ['import', 'instance', 'web-1', DIR, '--projet', 'p'], stderr: 'unknown flag --projet: did you mean --project?' },
  { bin: 'lxplan', args: ['export', '--knd', 'instance'], stderr: 'unknown flag --knd: did you mean --kind?' },
  { bin: 'lxplan', args: ['force-unlock', 'none', DIR, '--stat', 'x.json'], stderr: 'unknown flag --stat: did you mean --state?' },
  { bin: 'lxapply', args: ['--restore', 'web-1/s1', '--auto-aprove', DIR], stderr: 'unknown flag --auto-aprove: did you mean --auto-approve?' },
  // A flag of another command.
  { bin: 'lxplan', args: ['--auto-approve', DIR], stderr: 'unknown flag --auto-approve: it is a flag of lxapply, not of lxplan' },
  // Values and arguments that are no option.
  { bin: 'lxplan', args: ['--detailed-exitcode', '--format', 'md', DIR], stderr: '--format md is not one of human, markdown: did you mean markdown?' },
  {
    bin: 'lxplan',
    args: ['import', 'instnce', 'web-1'],
    stderr:
      'KIND instnce is not one of project, storage_pool, network_acl, network, storage_volume, image, profile, instance, snapshot, server: did you mean instance?',
  },
  {
    bin: 'lxplan',
    args: ['export', '--kind', 'profiles'],
    stderr: '--kind profiles is not one of storage_pool, network_acl, network, storage_volume, profile, instance: did you mean profile?',
  },
  { bin: 'lxapply', args: ['--parallelism', 'ten', DIR], stderr: '--parallelism: expected an integer but received: ten' },
  { bin: 'lxapply', args: ['--restore'], stderr: '--restore needs a value' },
  // Missing and extra arguments, unknown commands.
  { bin: 'lxplan', args: ['force-unlock'], stderr: 'missing ID (usage: lxplan force-unlock ID [PATH])' },
  { bin: 'lxplan', args: ['import', 'instance'], stderr: 'missing NAME (usage: lxplan import KIND NAME [PATH])' },
  { bin: 'lxplan', args: [DIR, 'extra'], stderr: 'unexpected argument extra (usage: lxplan [PATH])' },
  { bin: 'lxapply', args: [DIR, 'extra'], stderr: 'unexpected argument extra (usage: lxapply [PATH])' },
  { bin: 'lxplan', args: ['valdate', DIR], stderr: 'unknown command valdate: did you mean lxplan validate? (valdate is no manifest path either)' },
  { bin: 'lxplan', args: ['help', 'improt'], stderr: 'unknown command improt: did you mean lxplan import?' },
  // Flags that exclude each other.
  { bin: 'lxplan', args: ['--refresh-only', '-o', 'plan.json', DIR], stderr: '--out=plan.json cannot also be provided when using --refresh-only' },
];

for (const c of CASES) {
  it(`${c.bin} ${c.args.join(' ')}: exit 1, one line`, async () => {
    const r = await run(c.bin, c.args);
    assert.is(r.code, 1, show(r));
    assert.is(r.stderr, `Error: ${c.stderr}\n`, show(r));
    assert.is(r.stdout, '', show(r));
  });
}

it('--detailed-exitcode with a misspelt flag is an error (1), not "changes" (2)', async () => {
  const r = await run('lxplan', ['--detailed-exitcode', '--formt', 'markdown', DIR]);
  assert.is(r.code, 1, show(r));
});

it('with --json, a usage error is a JSON error document on stdout', async () => {
  const r = await run('lxplan', ['--json', '--formt', 'markdown', DIR]);
  assert.is(r.code, 1, show(r));
  assert.equal(JSON.parse(r.stdout), { format_version: '1.0', errors: [{ code: 'usage', message: 'unknown flag --formt: did you mean --format?' }] });
});

it('help and --version still work', async () => {
  const help = await run('lxapply', ['--help']);
  assert.is(help.code, 0, show(help));
  assert.ok(help.stdout.includes('--auto-approve'), show(help));
  const version = await run('lxplan', ['--version']);
  assert.is(version.code, 0, show(version));
  assert.match(version.stdout, /^lxplan\/\d+\.\d+\.\d+ /);
});

it('the command words: a command, an existing path, a typo of a command', () => {
  const exists = (p: string) => p === 'infra' || p === 'valdate-dir';
  assert.equal(lxplanArgs(['import', 'instance', 'x']), ['import', 'instance', 'x']);
  assert.equal(lxplanArgs(['infra'], exists), ['plan', 'infra']);
  assert.equal(lxplanArgs(['--json', 'infra'], exists), ['plan', '--json', 'infra']);
  assert.equal(lxplanArgs([]), ['plan']);
  assert.equal(lxplanArgs(['help']), ['--help']);
  assert.equal(lxplanArgs(['help', 'export']), ['export', '--help']);
  // Not close to a command: a path that does not exist, which the plan command reports.
  assert.equal(lxplanArgs(['web'], exists), ['plan', 'web']);
  assert.throws(() => lxplanArgs(['exprot'], exists), /unknown command exprot: did you mean lxplan export\?/);
});

it('likely: a typo, or the one option a word abbreviates', () => {
  assert.is(likely('formt', ['format', 'out']), 'format');
  assert.is(likely('md', ['human', 'markdown']), 'markdown');
  assert.is(likely('h', ['human', 'markdown']), undefined);
  assert.is(likely('zz', ['human', 'markdown']), undefined);
});

it("the arguments a hint gives lxplan import: this run's path, --state and --project, quoted for a shell", () => {
  assert.is(commandArgs({ path: '.' }, undefined), '');
  assert.is(commandArgs({ path: 'infra', project: 'staging' }, undefined), ' infra --project staging');
  assert.is(commandArgs({ path: 'infra', project: 'staging' }, 'staging'), ' infra', 'the manifests say the project already');
  assert.is(commandArgs({ path: "my infra/it's", statePath: 's.json' }, undefined), ` 'my infra/it'\\''s' --state s.json`);
});

it.run();
