/**
 * Who holds a lock, for the stores whose holders may run anywhere (daemon-store.ts, pg-store.ts):
 * the process (pid, host, user), what it does and since when, and the CI run it belongs to when
 * the environment names one, so that "locked by pid 4711 on runner-12" can be traced to a job.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { LockInfo } from './lock.js';

/** The CI systems whose run id lxplan recognises, first match wins: [what to call it, the variables that make it]. */
const CI: readonly [string, readonly string[]][] = [
  ['GitHub Actions run', ['GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT']],
  ['GitLab CI job', ['CI_JOB_ID']],
  ['Buildkite job', ['BUILDKITE_JOB_ID']],
  ['CircleCI job', ['CIRCLE_WORKFLOW_JOB_ID']],
  ['Azure Pipelines build', ['BUILD_BUILDID']],
  ['AWS CodeBuild build', ['CODEBUILD_BUILD_ID']],
  ['Drone build', ['DRONE_BUILD_NUMBER']],
  ['Travis CI job', ['TRAVIS_JOB_ID']],
  ['Woodpecker pipeline', ['CI_PIPELINE_NUMBER']],
  ['Jenkins build', ['BUILD_TAG']],
  ['build', ['BUILD_ID']],
];

/**
 * The CI run this process belongs to, from the environment: "GitHub Actions run 123 (attempt 2)",
 * "GitLab CI job 456", ...; the build URL when the CI gives one (BUILD_URL, CI_JOB_URL); undefined
 * outside CI.
 */
export function ciRunId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const [what, [key, attempt]] of CI) {
    const v = env[key]?.trim();
    if (!v) continue;
    const parts = [`${what} ${v}`];
    const n = attempt ? env[attempt]?.trim() : undefined;
    if (n) parts.push(`(attempt ${n})`);
    if (key === 'GITHUB_RUN_ID' && env.GITHUB_REPOSITORY) parts.push(`of ${env.GITHUB_REPOSITORY}`);
    const url = env.CI_JOB_URL ?? env.BUILD_URL;
    if (url) parts.push(url);
    return parts.join(' ');
  }
  return undefined;
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still says who.
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The lock info of a new holder: this process, doing `operation`, from now, in the CI run the environment names. */
export function newHolder(operation: string, env: NodeJS.ProcessEnv = process.env): LockInfo {
  const run = ciRunId(env);
  return {
    id: randomBytes(8).toString('hex'),
    pid: process.pid,
    host: os.hostname(),
    user: userName(),
    operation,
    since: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(run !== undefined ? { run } : {}),
  };
}

/** "pid 4711 on host ci-3 (apply by runner, since 2026-01-01T00:00:00Z; GitHub Actions run 9; lock ID 3f9c...)": how messages name a holder. */
export function describeHolder(h: LockInfo): string {
  return `pid ${h.pid} on host ${h.host} (${h.operation} by ${h.user}, since ${h.since}${h.run ? `; ${h.run}` : ''}; lock ID ${h.id})`;
}
