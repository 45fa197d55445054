/**
 * The pure parts of the PostgreSQL state backend and of the holder info every remote store uses:
 * parsing and redacting a postgres:// URL, the advisory lock key, the CI run id from the
 * environment, and when `state migrate` refuses a destination. (Against a real server:
 * test/integration/pg-state.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LxplanError } from '../../src/errors.js';
import { ciRunId, describeHolder, newHolder } from '../../src/state/holder.js';
import { migrateRefusal } from '../../src/state/migrate.js';
import { emptyState } from '../../src/state/model.js';
import { advisoryKey, isPgSpec, parsePgUrl, PgStore, redactUrl } from '../../src/state/pg-store.js';

test('a postgres:// or postgresql:// URL is a PostgreSQL state; a path or lxd:NAME is not', () => {
  assert.ok(isPgSpec('postgres://u@h/db'));
  assert.ok(isPgSpec('postgresql://u@h/db'));
  assert.ok(isPgSpec('POSTGRES://u@h/db'));
  assert.not.ok(isPgSpec('lxd:web'));
  assert.not.ok(isPgSpec('postgres.state.json'));
  assert.not.ok(isPgSpec('./postgres://x'));
});

test('the password is redacted, and only the password', () => {
  assert.is(redactUrl('postgres://alice:s3cr%40t@db.example:5432/infra?workspace=web'), 'postgres://alice:***@db.example:5432/infra?workspace=web');
  assert.is(redactUrl('postgresql://alice@db/infra'), 'postgresql://alice@db/infra');
  assert.is(redactUrl('lxplan.state.json'), 'lxplan.state.json');
  assert.is(redactUrl('postgres://:pw@db/infra'), 'postgres://:***@db/infra');
});

test('parsed: server, user, database, workspace (default "default"), schema (default "lxplan"); lxplan\'s parameters are not passed to the server', () => {
  const t = parsePgUrl('postgres://alice:s3cr%40t@db.example:6543/infra?workspace=web&sslmode=require');
  assert.is(t.server, 'db.example:6543');
  assert.is(t.user, 'alice');
  assert.is(t.password, 's3cr@t');
  assert.is(t.database, 'infra');
  assert.is(t.workspace, 'web');
  assert.is(t.schema, 'lxplan');
  assert.is(t.redacted, 'postgres://alice:***@db.example:6543/infra?workspace=web&sslmode=require');
  assert.not.match(t.connectionString, 'workspace');
  assert.match(t.connectionString, 'sslmode=require');
  const d = parsePgUrl('postgresql://bob@db/infra?schema=ops_state');
  assert.is(d.workspace, 'default');
  assert.is(d.schema, 'ops_state');
  assert.is(d.server, 'db:5432');
  assert.is(new PgStore('postgres://bob:hunter22@db/infra').label, 'postgres://bob:***@db/infra');
});

test('bad URLs are usage errors that never show the password', () => {
  const cases = [
    ['postgres://alice:hunter22@db/infra?workspace=no spaces', /workspace/],
    ['postgres://alice:hunter22@db/infra?schema=Robert%27);DROP', /schema/],
    ['postgres://alice:hunter22@db', /names no database/],
    ['postgres://alice:hunter22@[bad/infra', /not a valid URL/],
  ] as const;
  for (const [spec, why] of cases) {
    try {
      parsePgUrl(spec);
      assert.unreachable(spec);
    } catch (e) {
      assert.instance(e, LxplanError);
      assert.is((e as LxplanError).code, 'usage');
      assert.match((e as LxplanError).message, why);
      assert.not.match((e as LxplanError).message, 'hunter22');
      assert.match((e as LxplanError).message, '***');
    }
  }
});

test('the advisory lock key: one per schema and workspace, stable, a signed 64-bit integer', () => {
  const k = advisoryKey('lxplan', 'web');
  assert.is(k, advisoryKey('lxplan', 'web'));
  assert.is.not(k, advisoryKey('lxplan', 'db'));
  assert.is.not(k, advisoryKey('other', 'web'));
  const n = BigInt(k);
  assert.ok(n >= -(2n ** 63n) && n < 2n ** 63n);
});

test('the CI run id comes from the environment, undefined outside CI', () => {
  assert.is(ciRunId({}), undefined);
  assert.is(ciRunId({ GITHUB_RUN_ID: '123', GITHUB_RUN_ATTEMPT: '2', GITHUB_REPOSITORY: 'o/r' }), 'GitHub Actions run 123 (attempt 2) of o/r');
  assert.is(ciRunId({ CI_JOB_ID: '456', CI_JOB_URL: 'https://gitlab.example/o/r/-/jobs/456' }), 'GitLab CI job 456 https://gitlab.example/o/r/-/jobs/456');
  assert.is(ciRunId({ BUILD_ID: '77' }), 'build 77');
  assert.is(ciRunId({ BUILD_TAG: 'jenkins-web-9', BUILD_ID: '9' }), 'Jenkins build jenkins-web-9', 'the more specific variable first');
  assert.is(ciRunId({ GITHUB_RUN_ID: '  ' }), undefined, 'blank is none');
});

test('a new holder names this process and its CI run; messages name the run', () => {
  const h = newHolder('apply', { GITHUB_RUN_ID: '9' });
  assert.is(h.pid, process.pid);
  assert.is(h.operation, 'apply');
  assert.is(h.run, 'GitHub Actions run 9');
  assert.match(h.id, /^[0-9a-f]{16}$/);
  assert.match(describeHolder(h), `pid ${process.pid} on host ${h.host} (apply by ${h.user}, since ${h.since}; GitHub Actions run 9; lock ID ${h.id})`);
  assert.not.match(describeHolder(newHolder('plan', {})), 'run');
  assert.is('run' in newHolder('plan', {}), false);
});

test('migrate refuses a destination of another lineage, or a newer serial of the same one; takes an empty or older one', () => {
  const src = { ...emptyState(), lineage: 'L1', serial: 5 };
  assert.is(migrateRefusal(src, undefined, 'dst'), undefined);
  assert.is(migrateRefusal(src, { ...src, serial: 3 }, 'dst'), undefined);
  assert.is(migrateRefusal(src, { ...src }, 'dst'), undefined);
  assert.match(migrateRefusal(src, { ...src, lineage: 'L2', serial: 1 }, 'dst') ?? '', /dst holds another state \(lineage L2, serial 1\).*nothing was changed/);
  assert.match(
    migrateRefusal(src, { ...src, serial: 6 }, 'dst') ?? '',
    /dst holds a newer version of this state \(serial 6, the source has 5\).*nothing was changed/,
  );
});

test.run();
