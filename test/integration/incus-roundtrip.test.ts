/**
 * One manifest directory, both daemons (issue 14): applied on LXD, exported with `lxplan export`,
 * the export applied on Incus to the same result (`No changes.` after), then the project removed
 * from LXD (lxapply --destroy), and Incus's export applied on LXD to the same result again. What
 * travels: a project of its own, its default profile and a profile with limits, a running
 * container with config and limits, its snapshot, a copy made from that snapshot, and a stopped
 * container; the default storage pool (exported as `driver: dir`, without the daemon's own source
 * path). `lxplan export` writes no images (lxplan makes them from files the user keeps), no
 * instance `files:` (their content is the user's too; the file API's differences are tested in
 * instances-full) nor the project itself: the directory's images.yaml and project file go with
 * the export, as a user would keep them.
 *
 * Needs both daemons on this machine (LXD at /var/lib/lxd, Incus at /var/lib/incus, or
 * LXPLAN_LXD_SOCKET / LXPLAN_INCUS_SOCKET): without both it says so and registers no test.
 * test/run.mjs runs it once (in the LXD pass).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { manifestDir, run, show, type CliResult } from './cli.js';
import { purgeProject, testImage, TEST_PREFIX } from './harness.js';

const LXD_SOCKET = process.env.LXPLAN_LXD_SOCKET ?? '/var/lib/lxd/unix.socket';
const INCUS_SOCKET = process.env.LXPLAN_INCUS_SOCKET ?? '/var/lib/incus/unix.socket';

const rt = suite('the same manifests on LXD and on Incus: apply, export, apply on the other, and back');

/** Who answers on a socket ("lxd", "incus"), or why nobody does. */
async function who(socket: string): Promise<{ server?: string; why?: string }> {
  if (!existsSync(socket)) return { why: `no socket at ${socket}` };
  const c = new LxdClient({ socketPath: socket });
  try {
    return { server: (await c.server()).environment?.server ?? 'lxd' };
  } catch (e) {
    return { why: (e as Error).message };
  } finally {
    c.close();
  }
}

/** What an instance is, as both daemons must agree on it: the comparable parts, no daemon-filled keys. */
async function inventory(socket: string, project: string): Promise<unknown> {
  const c = new LxdClient({ socketPath: socket, project });
  try {
    const instances = await c.listInstances();
    const out: Record<string, unknown> = {};
    for (const i of instances.sort((a, b) => a.name.localeCompare(b.name))) {
      const config = Object.fromEntries(Object.entries(i.config).filter(([k]) => !k.startsWith('volatile.') && !k.startsWith('image.')));
      const snapshots = (await c.listSnapshots(i.name)).map((s) => s.name).sort();
      out[i.name] = { status: i.status, profiles: i.profiles, config, devices: i.devices, snapshots };
    }
    const profiles = Object.fromEntries(
      (await c.listProfiles()).filter((p) => p.name !== 'default').map((p) => [p.name, { description: p.description, config: p.config, devices: p.devices }]),
    );
    return { instances: out, profiles };
  } finally {
    c.close();
  }
}

async function main() {
  const [lxd, incus] = await Promise.all([who(LXD_SOCKET), who(INCUS_SOCKET)]);
  const missing = [
    lxd.server === 'lxd' ? undefined : `LXD (${lxd.why ?? `${LXD_SOCKET} is ${lxd.server}'s`})`,
    incus.server === 'incus' ? undefined : `Incus (${incus.why ?? `${INCUS_SOCKET} is ${incus.server}'s`})`,
  ].filter(Boolean);
  if (missing.length > 0) {
    console.log(`  incus-roundtrip: left out, it needs both daemons: ${missing.join(', ')} missing (scripts/lxd-up.sh, scripts/incus-up.sh)`);
    return;
  }

  rt('applied on LXD, exported, applied on Incus: the same result and "No changes."; exported from Incus and applied on LXD again: the same', async () => {
    const image = await testImage();
    const tag = randomBytes(3).toString('hex');
    const first = `${TEST_PREFIX}-rt-${tag}`;
    // The owner keys the harness's sweep reads: a crashed run's projects are removed by the next run.
    const projectFile = (name: string) =>
      `project: ${name}\nprojects:\n  ${name}:\n    description: lxplan round trip between LXD and Incus\n    config:\n      features.images: "true"\n      features.profiles: "true"\n      features.storage.volumes: "false"\n      user.lxplan.test.host: ${hostname()}\n      user.lxplan.test.pid: "${process.pid}"\n      user.lxplan.test.created: "${new Date().toISOString()}"\n`;
    const images = `images:\n  busybox:\n    source: {metadata: ${image.metadataPath}, rootfs: ${image.rootfsPath}}\n`;
    const objects = [
      'profiles:',
      '  default:',
      '    devices:',
      '      root: {type: disk, path: /, pool: default}',
      '  small:',
      '    description: small web containers',
      '    limits: {cpu: 1, memory: 256MB}',
      'instances:',
      '  web-1:',
      '    image: busybox',
      '    profiles: [default, small]',
      '    limits: {memory: 192MB}',
      '    config: {user.role: web}',
      '    snapshots: [golden]',
      '  copy-1:',
      '    source: {instance: web-1, snapshot: golden}',
      '    profiles: [default, small]',
      '    config: {user.role: copy}',
      '  web-2:',
      '    image: busybox',
      '    state: stopped',
      '',
    ].join('\n');
    const onLxd = ['--socket', LXD_SOCKET];
    const onIncus = ['--socket', INCUS_SOCKET];
    const kept = { 'project.yaml': projectFile(first), 'images.yaml': images };
    const a = await manifestDir({ ...kept, 'lxplan.yaml': objects });
    const e1 = await manifestDir(kept);
    const e2 = await manifestDir(kept);
    const transcript: string[] = [];
    const step = async (what: string, bin: 'lxplan' | 'lxapply', args: string[]): Promise<CliResult> => {
      const r = await run(bin, args);
      transcript.push(`$ ${bin} ${args.join(' ')}   # ${what}`, r.stdout.trimEnd(), ...(r.stderr.trim() ? [`(stderr) ${r.stderr.trimEnd()}`] : []), '');
      assert.is(r.code, 0, `${what}\n${show(r)}`);
      return r;
    };
    // The project's own objects, kind by kind, and the one pool they use: the host's other networks
    // and pools (`lxplan export` writes all of them for a project without features.networks) are
    // not this test's, and a bridge cannot be made twice on one kernel, by two daemons.
    const exportTo = async (dir: string, on: string[], daemon: string): Promise<string> => {
      let all = '';
      const parts: Array<[string, string[]]> = [
        ['pools.yaml', ['--kind', 'storage_pool', '--name', 'default']],
        ['profiles.yaml', ['--kind', 'profile']],
        ['instances.yaml', ['--kind', 'instance']],
      ];
      for (const [file, only] of parts) {
        const text = (await step(`export ${only[1]} from ${daemon}`, 'lxplan', ['export', ...on, '--project', first, ...only])).stdout;
        await writeFile(path.join(dir, file), text);
        all += text;
      }
      return all;
    };
    try {
      await step('apply on LXD', 'lxapply', [...onLxd, '--auto-approve', a.dir]);
      assert.match((await step('plan on LXD', 'lxplan', [...onLxd, a.dir])).stdout, /^No changes\./);

      // Export what LXD has, then apply that export (with the kept images and project) on Incus.
      const exported = await exportTo(e1.dir, onLxd, 'LXD');
      const created = await step('apply the export on Incus', 'lxapply', [...onIncus, '--auto-approve', e1.dir]);
      assert.match(created.stdout, /\+ instance web-1/);
      assert.match((await step('plan on Incus', 'lxplan', [...onIncus, e1.dir])).stdout, /^No changes\./);
      assert.equal(await inventory(INCUS_SOCKET, first), await inventory(LXD_SOCKET, first), 'Incus holds what LXD holds');

      // And back: the project removed from LXD, then Incus's export applied on LXD in its place.
      const held = await inventory(LXD_SOCKET, first);
      await step('remove it from LXD', 'lxapply', [...onLxd, '--destroy', '--auto-approve', '--allow-delete', a.dir]);
      const again = await exportTo(e2.dir, onIncus, 'Incus');
      const rebuilt = await step('apply the Incus export on LXD', 'lxapply', [...onLxd, '--auto-approve', e2.dir]);
      assert.match(rebuilt.stdout, /\+ instance web-1/);
      assert.match((await step('plan on LXD', 'lxplan', [...onLxd, e2.dir])).stdout, /^No changes\./);
      assert.equal(await inventory(LXD_SOCKET, first), held, 'LXD holds again what it held');
      // The export is the same from either daemon, but for its comment lines (they may say where it came from).
      const body = (t: string) => t.replace(/^#.*\n/gm, '');
      assert.is(body(again), body(exported), 'the export from Incus is the export from LXD');
    } finally {
      if (process.env.LXPLAN_ROUNDTRIP_TRANSCRIPT) await writeFile(process.env.LXPLAN_ROUNDTRIP_TRANSCRIPT, transcript.join('\n'));
      for (const socket of [LXD_SOCKET, INCUS_SOCKET]) {
        const root = new LxdClient({ socketPath: socket });
        await purgeProject(root, first).finally(() => root.close());
      }
      await a.cleanup();
      await e1.cleanup();
      await e2.cleanup();
    }
  });
  rt.run();
}

await main();
