/**
 * Running a command in an instance, bounded by a timeout (the executor's side of execs.ts and of
 * wait_for's `command:`).
 *
 * LXD runs it (POST /exec, no websocket, output recorded to log files that are read, then
 * deleted). LXD cannot cancel an exec operation, and stopping the process LXD started would leave
 * its children (`sh -c 'sleep 600 & wait'`) running. So every command runs with one more
 * environment variable, LXPLAN_EXEC_ID=<random id>, which every process it starts inherits; at the
 * timeout, a second exec (as root) kills every process of the instance whose environment holds that
 * id, until none is left, and then the first operation ends. That needs `sh` and `grep` in the
 * instance (busybox, every distribution image); without them the command cannot be stopped, and
 * the error says so. A process that clears its environment (env -i) escapes it.
 */
import { randomUUID } from 'node:crypto';
import { LxplanError } from '../../errors.js';
import type { LxdClient } from '../../lxd/client.js';
import type { LxdOperation } from '../../lxd/types.js';
import { commandText, type DesiredExec } from './execs.js';
import { formatDuration } from './wait.js';

/** The variable every process of one exec inherits: what the timeout kills by. */
export const EXEC_ID_VAR = 'LXPLAN_EXEC_ID';

/** How much of each stream is kept for messages (its end: where the error usually is). */
export const OUTPUT_KEEP = 4096;

/** What running a command needs: an exec's fields without its name and trigger (a wait_for command condition is one too). */
export type ExecSpec = Omit<DesiredExec, 'name' | 'when'>;

export interface ExecOutcome {
  /** The exit code; undefined when it was stopped at its timeout. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** What LXD said about it, if anything ("Command not found"). */
  lxdError?: string;
  /** Stopped at its timeout: how many processes were killed. */
  timedOut?: { killed: number };
  ms: number;
}

/** Kills every process whose environment holds the id: in rounds, for what the dying ones started meanwhile. Prints how many. */
const KILL_SCRIPT = [
  'n=0',
  'for round in 1 2 3 4 5; do',
  '  k=0',
  '  for p in /proc/[0-9]*; do',
  `    if grep -qs "${EXEC_ID_VAR}=$1" "$p/environ"; then kill -9 "\${p#/proc/}" 2>/dev/null && k=$((k+1)); fi`,
  '  done',
  '  n=$((n+k))',
  '  [ "$k" -eq 0 ] && break',
  'done',
  'echo "$n"',
].join('\n');

/** The end of a stream, at most OUTPUT_KEEP bytes, saying what was cut. */
export function tail(text: string): string {
  if (text.length <= OUTPUT_KEEP) return text;
  const cut = text.slice(-OUTPUT_KEEP);
  return `(${text.length - OUTPUT_KEEP} earlier bytes not shown)\n${cut.slice(cut.indexOf('\n') + 1)}`;
}

async function readOutput(client: LxdClient, op: LxdOperation): Promise<{ stdout: string; stderr: string; exitCode?: number }> {
  const md = (op.metadata ?? {}) as { output?: Record<string, string>; return?: number };
  const read = async (fd: string) => {
    const p = md.output?.[fd];
    if (!p) return '';
    const bytes = await client.getExecLog(p).catch(() => Buffer.alloc(0));
    await client.deleteExecLog(p).catch(() => undefined);
    return bytes.toString('utf8');
  };
  const [stdout, stderr] = [await read('1'), await read('2')];
  return { stdout, stderr, ...(typeof md.return === 'number' ? { exitCode: md.return } : {}) };
}

/** Kills what the exec with this id started; returns how many processes. */
async function killExec(client: LxdClient, instance: string, id: string): Promise<number> {
  const op = await client.startExec(instance, { command: ['sh', '-c', KILL_SCRIPT, 'lxplan-stop', id], user: 0, group: 0 });
  const done = await client.waitOperationUpTo(op, 30);
  const out = await readOutput(client, done);
  if (done.status_code !== 200 || out.exitCode !== 0) {
    throw new LxplanError(
      'apply.failed',
      `could not stop it in instance "${instance}" (stopping needs sh and grep there): ${out.stderr.trim() || done.err || `exit ${out.exitCode}`}`,
    );
  }
  return Number(out.stdout.trim()) || 0;
}

/** Runs the command, waits at most its timeout, stops it (and what it started) when it takes longer. */
export async function runInInstance(client: LxdClient, instance: string, spec: ExecSpec): Promise<ExecOutcome> {
  const id = randomUUID();
  const t0 = Date.now();
  const op = await client.startExec(instance, {
    command: spec.command,
    environment: { ...(spec.environment ?? {}), [EXEC_ID_VAR]: id },
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    ...(spec.uid !== undefined ? { user: spec.uid } : {}),
    ...(spec.gid !== undefined ? { group: spec.gid } : {}),
  });
  let done = await client.waitOperationUpTo(op, spec.timeoutS);
  let timedOut: ExecOutcome['timedOut'];
  if (done.status_code < 200) {
    const killed = await killExec(client, instance, id);
    timedOut = { killed };
    done = await client.waitOperationUpTo(op, 30);
  }
  if (done.status_code !== 200 && !timedOut) {
    throw new LxplanError('apply.failed', `LXD could not run ${commandText(spec.command)} in instance "${instance}": ${done.err || done.status}`);
  }
  const out = await readOutput(client, done);
  return { ...out, ...(done.err ? { lxdError: done.err } : {}), ...(timedOut ? { timedOut, exitCode: undefined } : {}), ms: Date.now() - t0 };
}

/** "exit 3" or "stopped at its timeout of 2s (2 processes killed)". */
export function outcomeText(o: ExecOutcome, timeoutS: number): string {
  if (o.timedOut)
    return `did not finish within its timeout of ${formatDuration(timeoutS)}: stopped (${o.timedOut.killed} process${o.timedOut.killed === 1 ? '' : 'es'} killed)`;
  return `exit code ${o.exitCode ?? 'unknown'}${o.lxdError ? ` (${o.lxdError})` : ''}`;
}

/** stdout and stderr for a message, indented, each labelled; "" when both are empty. */
export function outputText(o: Pick<ExecOutcome, 'stdout' | 'stderr'>, indent = '    '): string {
  const parts: string[] = [];
  for (const [label, text] of [
    ['stdout', o.stdout],
    ['stderr', o.stderr],
  ] as const) {
    const t = tail(text).replace(/\n$/, '');
    if (t.trim() === '') continue;
    parts.push(
      `${indent}${label}:\n${t
        .split('\n')
        .map((l) => `${indent}  ${l}`)
        .join('\n')}`,
    );
  }
  return parts.join('\n');
}
