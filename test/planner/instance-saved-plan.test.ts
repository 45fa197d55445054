/**
 * Plans holding instances in full survive the saved-plan document (lxplan -o, lxapply PLAN): a copy
 * of a snapshot (it depends on a snapshot address), files (a secret file's content is left out),
 * ephemeral and architecture.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPlanDocument, toPlanDocument, type PlanDocument } from '../../src/workflow/plan-file.js';
import { plan } from '../../src/planner/index.js';
import { sha256Of } from '../../src/resources/instance/files.js';
import type { DesiredInstance } from '../../src/resources/types.js';
import { dImage, dInstance, dSnapshot, live, manifest, state } from './builders.js';

test('a plan with a copy of a snapshot, files, ephemeral and architecture goes through the plan document and back', () => {
  const secret = Buffer.from('s3cret');
  const copy: DesiredInstance = dInstance('copy-1', {
    image: '',
    copyOf: { instance: 'base', snapshot: 's1' },
    ephemeral: true,
    architecture: 'x86_64',
    files: {
      '/etc/motd': { content: Buffer.from('hi\n').toString('base64'), sha256: sha256Of(Buffer.from('hi\n')), mode: '0644', uid: 0, gid: 0 },
      '/etc/token': { content: secret.toString('base64'), sha256: sha256Of(secret), mode: '0600', uid: 0, gid: 0, sensitive: true },
    },
  });
  const p = plan({
    manifest: manifest({ images: [dImage('busybox')], instances: [dInstance('base', { snapshots: ['s1'] }), copy], snapshots: [dSnapshot('base/s1')] }),
    live: live(),
    state: state(),
  });
  const doc = JSON.parse(JSON.stringify(toPlanDocument(p, { lxplanVersion: '0.1.0' }))) as PlanDocument;
  assert.not.match(JSON.stringify(doc), secret.toString('base64'));
  const back = fromPlanDocument(doc, 'plan.json');
  const c = back.changes.find((x) => x.address === 'instance.copy-1')!;
  assert.ok(c.dependsOn.includes('snapshot.base/s1'));
  const d = c.desired as DesiredInstance;
  assert.equal(d.copyOf, { instance: 'base', snapshot: 's1' });
  assert.is(d.files!['/etc/token'].content, '(sensitive)');
  assert.is(d.files!['/etc/token'].sha256, sha256Of(secret));
  assert.equal([d.ephemeral, d.architecture], [true, 'x86_64']);
});

test.run();
