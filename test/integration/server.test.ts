/**
 * server: {config: ...} end to end. Server keys are global to a daemon (every project sees
 * them), so this suite runs on a throwaway daemon of its own (throwaway-daemon.ts), never on the
 * machine's: lxplan is pointed at it with --socket, and the machine daemon's config is checked
 * to be untouched after every apply. Every server key the manifests do not name must stay as it was.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import type { State } from '../../src/state/model.js';
import { manifestDir, run, show } from './cli.js';
import { throwawayDaemon, type ThrowawayDaemon } from './throwaway-daemon.js';

const EXPIRY = 'images.remote_cache_expiry';
const INTERVAL = 'images.auto_update_interval';

type Ctx = {
  /** The throwaway daemon's client (default project). */
  root: LxdClient;
  daemon: ThrowawayDaemon;
  /** The machine daemon's server config before the suite: never written. */
  machine: Record<string, string>;
  m: Awaited<ReturnType<typeof manifestDir>>;
  args: (...more: string[]) => string[];
  /** The daemon's values of the two keys before the suite (LXD's default when unset). */
  original: Record<string, string>;
  /** Every other server key before the suite: must never change. */
  others: Record<string, string>;
  /** Values the suite sets, different from the originals. */
  a: string;
  b: string;
  c: string;
};
const it = suite<Ctx>('server config end to end');

async function serverConfig(ctx: Ctx): Promise<Record<string, string>> {
  return (await ctx.root.getServer()).value.config ?? {};
}

function othersOf(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => k !== EXPIRY && k !== INTERVAL));
}

/** A value for `key` that differs from its original and from `not`. */
function fresh(original: string, ...not: string[]): string {
  for (let n = 11; ; n++) if (String(n) !== original && !not.includes(String(n))) return String(n);
}

async function plan(ctx: Ctx): Promise<string> {
  const p = await run('lxplan', ctx.args(), ctx.daemon.env);
  assert.is(p.code, 0, show(p));
  return p.stdout;
}

async function machineConfig(): Promise<Record<string, string>> {
  const c = new LxdClient();
  try {
    return (await c.getServer()).value.config ?? {};
  } finally {
    c.close();
  }
}

async function apply(ctx: Ctx): Promise<string> {
  const a = await run('lxapply', ctx.args('--auto-approve'), ctx.daemon.env);
  assert.is(a.code, 0, show(a));
  assert.equal(await machineConfig(), ctx.machine, "the machine daemon's server config is untouched");
  return a.stdout;
}

/** "+ key: v" when the daemon had no value, "~ key: old -> v" otherwise. */
function setLine(key: string, from: string, to: string, width: number): string {
  const label = `config.${key}:`.padEnd(width);
  return from === '' ? `      + ${label} ${to} (live)` : `      ~ ${label} ${from} -> ${to} (live)`;
}

it.before(async (ctx) => {
  ctx.machine = await machineConfig();
  ctx.daemon = await throwawayDaemon();
  ctx.root = ctx.daemon.client;
  const config = await serverConfig(ctx);
  // An unset key holds LXD's default (LXD does not store a key set to its default either).
  ctx.original = { [EXPIRY]: config[EXPIRY] ?? '10', [INTERVAL]: config[INTERVAL] ?? '6' };
  ctx.others = othersOf(config);
  ctx.a = fresh(ctx.original[EXPIRY]);
  ctx.b = fresh(ctx.original[INTERVAL]);
  ctx.c = fresh(ctx.original[EXPIRY], ctx.a);
  ctx.m = await manifestDir({ 'lxplan.yaml': `server:\n  config:\n    ${EXPIRY}: ${ctx.a}\n    ${INTERVAL}: "${ctx.b}"\n` });
  ctx.args = (...more) => [...ctx.daemon.args, ...more, ctx.m.dir];
});

it.after(async (ctx) => {
  try {
    await ctx.daemon?.destroy();
  } finally {
    await ctx.m?.cleanup();
  }
});

it('declared keys are adopted and set live; every other server key stays; then No changes.', async (ctx) => {
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ server config (live)  # built-in server: lxplan starts managing it
${setLine(INTERVAL, ctx.original[INTERVAL], ctx.b, 35)}
${setLine(EXPIRY, ctx.original[EXPIRY], ctx.a, 35)}

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  const config = await serverConfig(ctx);
  assert.is(config[EXPIRY], ctx.a);
  assert.is(config[INTERVAL], ctx.b);
  assert.equal(othersOf(config), ctx.others);
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as State;
  assert.equal(state.resources['server.config'].attributes, { keys: `${INTERVAL},${EXPIRY}` });
  assert.is(await plan(ctx), 'No changes. LXD matches the manifests.\n');
});

it('a changed key is updated; a key dropped from the manifest is unset (shown as a delete)', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': `server:\n  config:\n    ${EXPIRY}: ${ctx.c}\n` });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ server config (live)
      - config.${INTERVAL}: ${ctx.b} (live; lxplan set this key before and the manifest no longer has it: unset, LXD's default applies)
      ~ config.${EXPIRY}:  ${ctx.a} -> ${ctx.c} (live)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  const config = await serverConfig(ctx);
  assert.is(config[EXPIRY], ctx.c);
  assert.is(config[INTERVAL], undefined);
  assert.equal(othersOf(config), ctx.others);
  assert.is(await plan(ctx), 'No changes. LXD matches the manifests.\n');
});

it('a change made in LXD between plan and apply is not overwritten (saved plan refused)', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': `server:\n  config:\n    ${EXPIRY}: ${ctx.a}\n` });
  const out = path.join(ctx.m.dir, 'saved-plan.json');
  const p = await run('lxplan', ctx.args('--out', out), ctx.daemon.env);
  assert.is(p.code, 0, show(p));
  // Someone else writes the same key meanwhile.
  const { etag } = await ctx.root.getServer();
  await ctx.root.patchServerConfig({ [EXPIRY]: '99' }, etag);
  const a = await run('lxapply', [...ctx.daemon.args, '--auto-approve', out], ctx.daemon.env);
  assert.is(a.code, 1, show(a));
  assert.match(a.stderr, /server "config" was changed in LXD since the plan was made; nothing was written to it/);
  assert.is((await serverConfig(ctx))[EXPIRY], '99');
  // A new plan shows it and puts it back.
  assert.match(await plan(ctx), new RegExp(`~ config\\.${EXPIRY.replace(/\./g, '\\.')}: 99 -> ${ctx.a} \\(live\\)`));
  await apply(ctx);
  assert.is((await serverConfig(ctx))[EXPIRY], ctx.a);
});

it('dropping server: unsets only the keys lxplan set, and the state forgets it', async (ctx) => {
  await ctx.m.write({ 'lxplan.yaml': 'instances:\n' });
  assert.is(
    await plan(ctx),
    `lxplan will make these changes:

  ~ server config (live)  # no longer in the manifests: lxplan undoes what it set and stops managing this server
      - config.${EXPIRY}: ${ctx.a} (live; lxplan set this key before and the manifest no longer has it: unset, LXD's default applies)

Plan: 0 to add, 1 to change, 0 to destroy.
`,
  );
  await apply(ctx);
  const config = await serverConfig(ctx);
  assert.is(config[EXPIRY], undefined);
  assert.equal(othersOf(config), ctx.others);
  const state = JSON.parse(await readFile(path.join(ctx.m.dir, 'lxplan.state.json'), 'utf8')) as State;
  assert.is(state.resources['server.config'], undefined);
  assert.is(await plan(ctx), 'No changes. LXD matches the manifests.\n');
});

it.run();
