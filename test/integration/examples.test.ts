/**
 * Every example under examples/ does what its comments promise, against the real daemon: it
 * applies cleanly, the next plan says "No changes.", and `lxapply --destroy` removes it again.
 * Each runs from a copy (state files stay out of the repository) in its own throwaway project;
 * an example's prepare.sh (image tarballs ...) runs first, as its README tells a user to.
 * Global objects an example declares (networks, storage pools) are claimed on the project, so a
 * crash of this run does not leave them behind; server keys it sets get their values back.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LxdClient } from '../../src/lxd/client.js';
import { loadManifests } from '../../src/manifest/index.js';
import { root, run, show } from './cli.js';
import { throwawayProject } from './harness.js';

/** Folders of examples/ that are not manifest directories. */
const NOT_MANIFESTS = new Set([
  'ci', // a CI workflow file that runs lxplan, not a manifest
]);

const examples = (await readdir(path.join(root, 'examples'), { withFileTypes: true }))
  .filter((e) => e.isDirectory() && !NOT_MANIFESTS.has(e.name))
  .map((e) => e.name)
  .sort();

const it = suite('every example applies, converges and is destroyed');

it('the examples folder has the examples the docs name', () => {
  for (const name of ['guide', 'web', 'images', 'images-remote', 'instances', 'devices', 'network-storage', 'projects', 'projects-per-object', 'server']) assert.ok(examples.includes(name), `examples/${name} is missing`);
});

for (const name of examples) {
  it(`examples/${name}`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), `lxplan-example-${name}-`));
    const project = await throwawayProject();
    const lxd = new LxdClient();
    let restoreServer: Record<string, string> | undefined;
    try {
      await cp(path.join(root, 'examples', name), dir, { recursive: true, filter: (src) => !/lxplan\.state\.json/.test(path.basename(src)) });
      if (existsSync(path.join(dir, 'prepare.sh'))) {
        const p = spawnSync('bash', [path.join(dir, 'prepare.sh')], { cwd: dir, env: { ...process.env, LXPLAN_ROOT: root }, encoding: 'utf8' });
        assert.is(p.status, 0, `prepare.sh failed:\n${p.stdout}\n${p.stderr}`);
      }
      const m = await loadManifests(dir);
      for (const n of Object.keys(m.networks)) await project.claim('network', n);
      for (const n of Object.keys(m.storagePools)) await project.claim('storage_pool', n);
      // Server keys are the daemon's, for every project: their values now are put back after.
      if (m.server) {
        const now = (await lxd.getServer()).value.config ?? {};
        restoreServer = Object.fromEntries(Object.keys(m.server.config).map((k) => [k, now[k] ?? '']));
      }

      // An example that names its own project (top-level project:) runs there; the project it
      // declares is claimed, so a crash of this run does not leave it behind.
      for (const n of Object.keys(m.projects ?? {})) await project.claim('project', n);
      const args = (...more: string[]) => [...(m.project ? [] : ['--project', project.name]), ...more, dir];
      const a = await run('lxapply', args('--auto-approve'));
      assert.is(a.code, 0, show(a));
      const p = await run('lxplan', args());
      assert.is(p.code, 0, show(p));
      assert.is(p.stdout, 'No changes. LXD matches the manifests.\n', show(p));
      const d = await run('lxapply', args('--destroy', '--auto-approve', '--allow-delete'));
      assert.is(d.code, 0, show(d));
      assert.equal((await project.client.listInstances()).map((i) => i.name), [], 'no instance is left');
    } finally {
      if (restoreServer) await lxd.patchServerConfig(restoreServer);
      lxd.close();
      await project.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

it.run();
