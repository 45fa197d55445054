/**
 * Checking `wait_for:` conditions (wait.ts) against a started instance, one after the other,
 * each within its own timeout. Checks are repeated every POLL_MS; nothing here guesses: a
 * condition is met when LXD says so (an address in the instance's state, a file the file API
 * finds, a command that exits 0, an exec the VM's agent runs).
 */
import { LxplanError } from '../../errors.js';
import { isNotFound, type LxdClient } from '../../lxd/client.js';
import type { OpEvents } from '../spec.js';
import { outcomeText, outputText, runInInstance } from './execs-run.js';
import { conditionText, formatDuration, type WaitCondition } from './wait.js';

const POLL_MS = 500;
/** A `command:` condition's single attempt may take at most this long (and what is left of its timeout). */
const ATTEMPT_MAX_S = 30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** undefined when met; else why not yet (for the timeout's message). */
async function check(client: LxdClient, instance: string, c: WaitCondition, leftS: number): Promise<string | undefined> {
  switch (c.kind) {
    case 'ipv4':
    case 'ipv6': {
      const st = await client.getInstanceNetworkState(instance);
      const nic = st.network?.[c.nic];
      if (!nic) return `the instance has no interface ${c.nic} (it has: ${Object.keys(st.network ?? {}).join(', ') || 'none'})`;
      const family = c.kind === 'ipv4' ? 'inet' : 'inet6';
      const found = (nic.addresses ?? []).some((a) => a.family === family && a.scope === 'global');
      return found ? undefined : `no global ${c.kind === 'ipv4' ? 'IPv4' : 'IPv6'} address on ${c.nic} yet`;
    }
    case 'agent': {
      try {
        const o = await runInInstance(client, instance, { command: ['true'], timeoutS: Math.max(1, Math.min(leftS, 10)) });
        return o.exitCode === 0 ? undefined : `the agent ran true: ${outcomeText(o, 10)}`;
      } catch (e) {
        return `the agent does not answer yet: ${(e as Error).message}`;
      }
    }
    case 'file':
      try {
        await client.pullFile(instance, c.path);
        return undefined;
      } catch (e) {
        if (isNotFound(e)) return `${c.path} does not exist yet`;
        throw e;
      }
    case 'command': {
      const o = await runInInstance(client, instance, { command: c.command, timeoutS: Math.max(1, Math.min(leftS, ATTEMPT_MAX_S)) });
      if (o.exitCode === 0) return undefined;
      const out = outputText(o);
      return `the last attempt: ${outcomeText(o, Math.max(1, Math.min(leftS, ATTEMPT_MAX_S)))}${out ? `\n${out}` : ''}`;
    }
    case 'delay':
      return undefined;
  }
}

/** Waits for each condition in turn; throws, naming the condition and why it is not met, at the first that times out. */
export async function waitForConditions(client: LxdClient, instance: string, conditions: readonly WaitCondition[], ev: OpEvents): Promise<void> {
  for (const c of conditions) {
    ev.progress(`waiting for ${conditionText(c)}`);
    if (c.kind === 'delay') {
      await sleep(c.seconds * 1000);
      continue;
    }
    const deadline = Date.now() + c.timeoutS * 1000;
    for (;;) {
      const why = await check(client, instance, c, (deadline - Date.now()) / 1000);
      if (why === undefined) break;
      if (Date.now() >= deadline) {
        throw new LxplanError(
          'apply.failed',
          `instance "${instance}" was not ready within ${formatDuration(c.timeoutS)}: wait_for ${conditionText(c)}: ${why}`,
          {
            hint: "what depends on it was not started; raise the condition's timeout:, or see why the instance does not get there (lxc exec, lxc console)",
          },
        );
      }
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }
}
