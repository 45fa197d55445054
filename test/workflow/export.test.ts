/** lxplan export, from fixtures: what it writes for what LXD has. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extraAliasDescription } from '../../src/resources/image/spec.js';
import { exportManifest } from '../../src/workflow/adopt.js';
import { FP_A, lImage, lInstance, live } from '../planner/builders.js';

test("an instance's image is named by the image's own alias, not by an extra alias lxplan made for it (issue 11 item 1)", () => {
  const image = lImage(FP_A, []);
  // LXD lists an image's aliases in its own order: the extra alias may come first.
  image.aliases.push({ name: 'app-latest', description: extraAliasDescription('app') }, { name: 'app', description: '' });
  const text = exportManifest(live({ images: [image], instances: [lInstance('web-1')] }));
  assert.match(text, 'instances:\n  web-1:\n    image: app\n');
});

test.run();
