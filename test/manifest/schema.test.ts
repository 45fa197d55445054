import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import { manifestSchemaPath } from '../../src/manifest/index.js';
import { AJV_OPTIONS } from '../../src/manifest/schema-options.js';
import { LIMITS, LIMIT_KEYS } from '../../src/resources/instance/limits.js';

const schema = JSON.parse(readFileSync(manifestSchemaPath(), 'utf8')) as { definitions: { limits: { properties: Record<string, { description: string }> } } };

test('the schema compiles in ajv strict mode', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  assert.ok(ajv.compile(schema));
});

test('the build generated the validator from this very schema, and it judges as the compiled schema does', () => {
  const require = createRequire(import.meta.url);
  const prebuilt = require('../../src/manifest/schema-validator.cjs') as ((d: unknown) => boolean) & { schemaSha256: string; errors?: unknown[] };
  assert.is(prebuilt.schemaSha256, createHash('sha256').update(readFileSync(manifestSchemaPath(), 'utf8')).digest('hex'), 'npm run build regenerates it');
  const compiled = new Ajv({ ...AJV_OPTIONS }).compile(schema);
  for (const doc of [{}, { instances: { web: { image: 'x' } } }, { instances: { web: { imgae: 'x' } } }, { profiles: [] }]) {
    assert.is(prebuilt(doc), compiled(doc), JSON.stringify(doc));
    assert.equal(JSON.stringify(prebuilt.errors ?? null), JSON.stringify(compiled.errors ?? null));
  }
});

test('the limits: keys of the schema are exactly the limit table, described alike', () => {
  const props = schema.definitions.limits.properties;
  assert.equal(Object.keys(props), [...LIMIT_KEYS]);
  for (const k of LIMIT_KEYS) assert.is(props[k].description, `limits.${k}: ${LIMITS[k].description}`);
});

test('every property in the schema has a description (editors show it)', () => {
  const missing: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.properties) {
      for (const [k, v] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
        if (!v.description && !v.$ref) missing.push(`${where}.${k}`);
        walk(v, `${where}.${k}`);
      }
    }
    for (const k of ['additionalProperties', 'items', 'propertyNames']) if (n[k] && typeof n[k] === 'object') walk(n[k], `${where}[${k}]`);
    if (n.definitions)
      for (const [k, v] of Object.entries(n.definitions)) {
        if (!(v as { description?: string }).description) missing.push(`#/definitions/${k}`);
        walk(v, `#/definitions/${k}`);
      }
  };
  walk(schema, '#');
  assert.equal(missing, []);
});

test.run();
