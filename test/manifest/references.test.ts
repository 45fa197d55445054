import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkReferencesOffline, loadManifests } from '../../src/manifest/index.js';
import { tree } from './helpers.js';

const FP = 'a'.repeat(64);

async function manifest() {
  const dir = await tree({
    'm.yaml': [
      'profiles:',
      '  small: {}',
      'instances:',
      '  web-1:',
      '    image: busybx',
      '    profiles: [default, smal, base]',
      '  web-2:',
      '    image: alpine',
      '    profiles: [small]',
      '  web-3:',
      `    image: ${FP.slice(0, 12)}`,
      '',
    ].join('\n'),
  });
  return { dir, m: await loadManifests(dir) };
}

test('names neither in the manifest nor in LXD are located manifest.reference errors with did-you-mean', async () => {
  const { dir, m } = await manifest();
  const errors = checkReferencesOffline(m, { profiles: new Set(['base']), images: new Set(['busybox', 'alpine', FP]) });
  assert.equal(
    errors.map((e) => e.code),
    ['manifest.reference', 'manifest.reference'],
  );
  assert.equal(
    errors.map((e) => e.describe()),
    [
      `${dir}/m.yaml:5:5: instance "web-1" uses image "busybx", which is neither in the manifests nor in LXD\n  hint: did you mean "busybox"?`,
      `${dir}/m.yaml:6:25: instance "web-1" uses profile "smal", which is neither in the manifests nor in LXD\n  hint: did you mean "small"?`,
    ],
  );
});

test('offline (nothing known): default always exists; other names get a plain hint', async () => {
  const { dir, m } = await manifest();
  const errors = checkReferencesOffline(m, { profiles: new Set(), images: new Set() });
  assert.equal(
    errors.map((e) => e.describe()),
    [
      `${dir}/m.yaml:5:5: instance "web-1" uses image "busybx", which is neither in the manifests nor in LXD\n  hint: define it under images:, or import it into LXD first`,
      `${dir}/m.yaml:6:25: instance "web-1" uses profile "smal", which is neither in the manifests nor in LXD\n  hint: did you mean "small"?`,
      `${dir}/m.yaml:6:31: instance "web-1" uses profile "base", which is neither in the manifests nor in LXD\n  hint: define it under profiles:, or create it in LXD first`,
      `${dir}/m.yaml:8:5: instance "web-2" uses image "alpine", which is neither in the manifests nor in LXD\n  hint: define it under images:, or import it into LXD first`,
      `${dir}/m.yaml:11:5: instance "web-3" uses image "${FP.slice(0, 12)}", which is neither in the manifests nor in LXD\n  hint: define it under images:, or import it into LXD first`,
    ],
  );
});

test('everything known: no errors', async () => {
  const { m } = await manifest();
  assert.equal(checkReferencesOffline(m, { profiles: new Set(['smal', 'base']), images: new Set(['busybx', 'alpine', FP]) }), []);
});

test.run();
