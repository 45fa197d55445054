/**
 * One kind, one folder: outside src/resources/<kind>/ and the registry, no source file names a
 * kind - its name as a string ('storage_volume', `instance.${...}`), its desired type
 * (DesiredStorageVolume) or its field of the manifest or the live snapshot (.storageVolumes).
 * The layers iterate the registry instead. A kind's folder may name the kinds it references (an
 * instance uses images and profiles: that is its own knowledge). src/lxd/ mirrors LXD's REST API (it has to know
 * /1.0/instances) and lxd-config-keys*.ts is LXD's own generated data: both are below the kinds.
 *
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KINDS } from '../../src/resources/registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const src = path.join(root, 'src');

const folderOf = (kind: string) => kind.replace(/_/g, '-');
const typeOf = (kind: string) =>
  'Desired' +
  kind
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
const fieldOf = (kind: string) =>
  kind
    .split('_')
    .map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join('') + 's';

/** Words that are a kind's name but mean something else there: each with the reason. */
const NOT_A_KIND: Record<string, string> = {
  'src/resources/devices.ts instance': "LXD's own value of a proxy device's bind option (host, instance, container)",
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every (file, kind) pair where a file outside the kind's folder names the kind. */
function kindMentions(kinds: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files(src)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (rel.startsWith('src/lxd/') || /^src\/resources\/lxd-config-keys.*\.ts$/.test(rel) || rel === 'src/resources/registry.ts') continue;
    const text = readFileSync(file, 'utf8');
    if (kinds.some((k) => rel.startsWith(`src/resources/${folderOf(k)}/`))) continue;
    for (const kind of kinds) {
      const patterns = [new RegExp(`['"\`]${kind}['"\`.]`), new RegExp(`\\b${typeOf(kind)}\\b`), new RegExp(`\\.${fieldOf(kind)}\\b`)];
      if (patterns.some((p) => p.test(text)) && !NOT_A_KIND[`${rel} ${kind}`]) found.push(`${rel} ${kind}`);
    }
  }
  return found.sort();
}

test('no file outside a kind folder names a kind', () => {
  assert.equal(kindMentions(KINDS), [], 'mentions of a kind outside its folder: move the knowledge into src/resources/<kind>/ or a registry hook');
});

test.run();
