/** server: in manifests: loading, at most once over all files, cheap value checks, secrets. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { described, loadError, tree } from './helpers.js';

test('server: config loads as the one server object, values as written', async () => {
  const dir = await tree({ 'm.yaml': 'server:\n  config:\n    images.remote_cache_expiry: 10\n    core.proxy_http: http://proxy:3128\n' });
  const m = await loadManifests(dir);
  assert.equal(m.server?.config, { 'images.remote_cache_expiry': '10', 'core.proxy_http': 'http://proxy:3128' });
  assert.is(m.server?.name, 'config');
  assert.equal(m.server?.at, { file: `${dir}/m.yaml`, line: 1, col: 1 });
  assert.equal(m.server?.keyAt?.['config.core.proxy_http'], { file: `${dir}/m.yaml`, line: 4, col: 5 });
  assert.is((await loadManifests(await tree({ 'm.yaml': 'instances:\n' }))).server, undefined);
});

test('server: twice over two files is a duplicate naming both places', async () => {
  const dir = await tree({
    'a.yaml': 'server:\n  config: {images.remote_cache_expiry: 10}\n',
    'b.yaml': 'server:\n  config: {images.auto_update_interval: 6}\n',
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/b.yaml:1:1: server: is given twice: at ${dir}/a.yaml:1:1 and at ${dir}/b.yaml:1:1\n  hint: keep one server: section over all manifest files`,
  ]);
});

test('integer and boolean keys are checked at the value; core.trust_password is refused; unknown keys under server: are schema errors', async () => {
  const dir = await tree({
    'm.yaml': 'server:\n  config:\n    images.remote_cache_expiry: ten\n    images.auto_update_cached: maybe\n    core.trust_password: s3cret\n  conifg: {}\n',
  });
  assert.equal(described(await loadError(dir)), [
    `${dir}/m.yaml:3:33: invalid images.remote_cache_expiry "ten": a whole number (LXD: "invalid integer")`,
    `${dir}/m.yaml:4:32: invalid images.auto_update_cached "maybe": true or false`,
    `${dir}/m.yaml:5:26: core.trust_password cannot be managed by lxplan: LXD stores a hash and reads it back as "true": set it with lxc config set core.trust_password, or use trust tokens`,
    `${dir}/m.yaml:6:3: unknown key "conifg" in "server"\n  hint: did you mean "config"?`,
  ]);
});

test('${env:NAME} in server config is read from the environment and is sensitive; secret keys are sensitive', async () => {
  const dir = await tree({ 'm.yaml': 'server:\n  config:\n    core.proxy_http: "${env:LXDEV_PROXY}"\n    loki.auth.password: pw\n' });
  const m = await loadManifests(dir, { env: { LXDEV_PROXY: 'http://user:pw@proxy:3128' } });
  assert.is(m.server?.config['core.proxy_http'], 'http://user:pw@proxy:3128');
  assert.equal(m.server?.sensitive?.sort(), ['core.proxy_http', 'loki.auth.password']);
});

test.run();
