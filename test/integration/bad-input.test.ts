/**
 * Each kind of bad input gives one clear error (located where it is in a manifest), exit 1,
 * and leaves LXD exactly as it was.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countingSocket, manifestDir, run, show } from './cli.js';
import { testImage, throwawayProject } from './harness.js';

type Ctx = { project: Awaited<ReturnType<typeof throwawayProject>>; image: Awaited<ReturnType<typeof testImage>> };
const bad = suite<Ctx>('bad input changes nothing');

bad.before(async (ctx) => {
  ctx.project = await throwawayProject();
  ctx.image = await testImage();
});
bad.after(async (ctx) => {
  await ctx.project?.cleanup();
});

async function snapshot(ctx: Ctx): Promise<string> {
  const { client } = ctx.project;
  const [i, p, im] = await Promise.all([client.listInstances(), client.listProfiles(), client.listImages()]);
  return JSON.stringify({ i: i.map((x) => [x.name, x.config, x.status]), p: p.map((x) => [x.name, x.config, x.devices]), im: im.map((x) => x.fingerprint) });
}

async function expectRefused(ctx: Ctx, yaml: string, expected: RegExp, extra: string[] = []): Promise<void> {
  const m = await manifestDir({ 'lxplan.yaml': yaml });
  try {
    const before = await snapshot(ctx);
    for (const bin of ['lxplan', 'lxapply'] as const) {
      const r = await run(bin, ['--project', ctx.project.name, ...(bin === 'lxapply' ? ['--auto-approve'] : []), ...extra, m.dir]);
      assert.is(r.code, 1, show(r));
      assert.match(r.stderr, expected, show(r));
      assert.is(r.stdout, '', `nothing but the error is printed\n${show(r)}`);
    }
    assert.is(await snapshot(ctx), before, 'LXD is unchanged');
  } finally {
    await m.cleanup();
  }
}

bad('with --json, stdout is a JSON document of the errors (and stderr still reads as text)', async (ctx) => {
  const m = await manifestDir({
    'lxplan.yaml': 'instances:\n  web-1:\n    image: busybox\n    limts: {memory: 512MB}\n  web-2:\n    image: busybox\n    state: sleeping\n',
  });
  try {
    const r = await run('lxplan', ['--project', ctx.project.name, '--json', m.dir]);
    assert.is(r.code, 1, show(r));
    const doc = JSON.parse(r.stdout) as { format_version: string; errors: { code: string; line: number; col: number; file: string; hint?: string }[] };
    assert.is(doc.format_version, '1.0');
    assert.equal(
      doc.errors.map((e) => [e.code, e.line, e.col]),
      [
        ['manifest.schema', 4, 5],
        ['manifest.schema', 7, 12],
      ],
    );
    assert.match(doc.errors[0].file, /lxplan\.yaml$/);
    assert.is(doc.errors[0].hint, 'did you mean "limits"?');
    assert.match(r.stderr, /lxplan\.yaml:4:5: /);
  } finally {
    await m.cleanup();
  }
});

bad('malformed YAML names file, line and column', async (ctx) => {
  await expectRefused(ctx, 'instances:\n  web-1:\n    image: [busybox\n', /lxplan\.yaml:\d+:\d+: /);
});

bad('an unknown key says where and suggests the right one', async (ctx) => {
  await expectRefused(
    ctx,
    'instances:\n  web-1:\n    image: busybox\n    limts: {memory: 512MB}\n',
    /lxplan\.yaml:4:5: .*"limts"[\s\S]*did you mean "limits"\?/,
  );
});

bad('memory: 12XB is refused before anything is sent', async (ctx) => {
  await expectRefused(ctx, 'instances:\n  web-1:\n    image: busybox\n    limits: {memory: 12XB}\n', /lxplan\.yaml:4:\d+: .*12XB/);
});

bad('an instance naming a profile that exists nowhere', async (ctx) => {
  await expectRefused(
    ctx,
    `images:\n  busybox:\n    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}\ninstances:\n  web-1:\n    image: busybox\n    profiles: [default, nosuch]\n`,
    /lxplan\.yaml:7:\d+: .*nosuch/,
  );
});

bad('an instance naming an image that exists nowhere', async (ctx) => {
  await expectRefused(ctx, 'instances:\n  web-1:\n    image: nosuch-image\n', /lxplan\.yaml:3:\d+: .*nosuch-image/);
});

bad('an unreachable daemon names the socket', async (ctx) => {
  await expectRefused(ctx, 'instances:\n  web-1:\n    image: busybox\n', /\/nonexistent\/lxd\.socket/, ['--socket', '/nonexistent/lxd.socket']);
});

/**
 * issue 11 item 7: `secrity.nesting` passed validate and the plan (which even said "restart
 * pending"), then LXD refused it ("Unknown configuration key"). Now every command refuses it at
 * the key, with the did-you-mean, and asks LXD nothing that would change it (seen through a
 * proxy socket that records every request).
 */
bad('a typo in a config key is refused at the key by validate, plan and apply, before any write to LXD', async (ctx) => {
  const yaml = `images:\n  busybox:\n    source: {metadata: ${ctx.image.metadataPath}, rootfs: ${ctx.image.rootfsPath}}\ninstances:\n  web-1:\n    image: busybox\n    config:\n      secrity.nesting: "true"\n`;
  const m = await manifestDir({ 'lxplan.yaml': yaml });
  const proxy = await countingSocket();
  try {
    const before = await snapshot(ctx);
    const lxd = ['--project', ctx.project.name, '--socket', proxy.path];
    const runs: Array<['lxplan' | 'lxapply', string[]]> = [
      ['lxplan', ['validate', m.dir]],
      ['lxplan', [...lxd, m.dir]],
      ['lxapply', [...lxd, '--auto-approve', m.dir]],
    ];
    for (const [bin, args] of runs) {
      const r = await run(bin, args);
      assert.is(r.code, 1, show(r));
      assert.match(
        r.stderr,
        /lxplan\.yaml:8:7: unknown config key "secrity\.nesting" for instance "web-1"\n\s*hint: did you mean "security\.nesting"\?/,
        show(r),
      );
      assert.not.match(r.stderr, /restart|Unknown configuration key/, show(r));
      assert.is(r.stdout, '', show(r));
    }
    assert.equal(
      proxy.requests.filter((q) => !q.startsWith('GET ')),
      [],
      'no request that changes LXD',
    );
    assert.is(await snapshot(ctx), before, 'LXD is unchanged');
  } finally {
    await proxy.close();
    await m.cleanup();
  }
});

bad.run();
