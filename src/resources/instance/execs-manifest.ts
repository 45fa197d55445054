/**
 * How `execs:` and `wait_for:` of an instance are read (manifest.ts calls these). The schema
 * checks the shapes; here the values: durations, absolute paths, the fields a `changed:` exec
 * names, and that the instance runs (a stopped instance runs no command).
 */
import { isMap, isSeq, type Node } from 'yaml';
import { scalarText, type EntryReader } from '../../manifest/entry.js';
import { deref } from '../../manifest/parse.js';
import { EXEC_TIMEOUT_S, type DesiredExec, type ExecWhen } from './execs.js';
import { parseDuration, WAIT_TIMEOUT_S, type WaitCondition } from './wait.js';

/** The fields of an instance a `changed:` exec may name (the plan's paths), besides files.<path> and config.<key>. */
const WATCHABLE = ['image', 'source', 'profiles', 'description', 'config', 'devices', 'files'];

function strings(r: EntryReader, node: Node | null): string[] | undefined {
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    const v = scalarText(deref(r.file, item));
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

function duration(r: EntryReader, node: Node | null | undefined, what: string, dflt: number): number {
  if (!node) return dflt;
  const text = scalarText(node) ?? '';
  const s = parseDuration(text);
  if (s === null || s <= 0) {
    r.valueError(`invalid ${what} "${text}" of ${r.owner}: write a duration such as 30s, 5m or 1h30m`, node);
    return dflt;
  }
  return s;
}

/** A watched name in the plan's terms: `/etc/app.conf` is files./etc/app.conf, `limits.memory` is config.limits.memory. */
function watchedPath(name: string): string {
  if (name.startsWith('/')) return `files.${name}`;
  if (name.startsWith('limits.')) return `config.${name}`;
  return name;
}

function readWhen(r: EntryReader, node: Node | null | undefined, files: ReadonlySet<string>): ExecWhen {
  if (!node) return 'created';
  const text = scalarText(node);
  if (text === 'created' || text === 'always') return text;
  if (!isMap(node)) return 'created'; // the schema reports it
  const changedNode = r.pairs(node).find((p) => p.key === 'changed')?.value ?? null;
  const names = strings(r, changedNode) ?? [];
  const changed: string[] = [];
  for (const [i, name] of names.entries()) {
    const at = isSeq(changedNode) ? (changedNode.items[i] as Node) : changedNode;
    const p = watchedPath(name);
    const root = p.split('.')[0];
    if (!WATCHABLE.includes(root)) {
      r.valueError(
        `exec of ${r.owner} watches "${name}", which is not a field of an instance`,
        at,
        `name fields as the plan shows them: ${WATCHABLE.join(', ')} (or config.KEY, devices.NAME, files./PATH, /PATH)`,
      );
      continue;
    }
    if (root === 'files' && p !== 'files' && !files.has(p.slice('files.'.length))) {
      r.valueError(
        `exec of ${r.owner} watches file ${p.slice('files.'.length)}, which its files: do not declare`,
        at,
        'a changed: exec watches what lxplan pushes: declare the file under files:',
      );
      continue;
    }
    changed.push(p);
  }
  return { changed };
}

/** `execs: {name: {command, environment, cwd, uid, gid, timeout, when}}`, in the manifest's order. */
export function readExecs(r: EntryReader, files: ReadonlySet<string>): DesiredExec[] | undefined {
  const f = r.fields.get('execs');
  if (!f) return undefined;
  r.keyAt.execs = r.loc(f.keyNode);
  const out: DesiredExec[] = [];
  for (const p of r.pairs(f.value)) {
    r.keyAt[`execs.${p.key}`] = r.loc(p.keyNode);
    if (!isMap(p.value)) continue; // the schema reports it
    const e = new Map(r.pairs(p.value).map((x) => [x.key, x]));
    const command = strings(r, e.get('command')?.value ?? null);
    if (!command || command.length === 0) continue; // the schema reports it
    const envNode = e.get('environment')?.value ?? null;
    const environment = isMap(envNode) ? Object.fromEntries(r.pairs(envNode).map((x) => [x.key, scalarText(x.value) ?? ''])) : undefined;
    const cwd = scalarText(e.get('cwd')?.value ?? null);
    if (cwd !== undefined && !cwd.startsWith('/'))
      r.valueError(`cwd "${cwd}" of exec ${p.key} of ${r.owner} must be an absolute path inside the instance`, e.get('cwd')!.value);
    const id = (k: 'uid' | 'gid') => {
      const v = scalarText(e.get(k)?.value ?? null);
      return v === undefined ? {} : { [k]: Number(v) };
    };
    out.push({
      name: p.key,
      command,
      ...(environment && Object.keys(environment).length > 0 ? { environment } : {}),
      ...(cwd !== undefined ? { cwd } : {}),
      ...id('uid'),
      ...id('gid'),
      timeoutS: duration(r, e.get('timeout')?.value, `timeout of exec ${p.key}`, EXEC_TIMEOUT_S),
      when: readWhen(r, e.get('when')?.value, files),
    });
  }
  return out.length > 0 ? out : undefined;
}

const CONDITIONS = ['ipv4', 'ipv6', 'agent', 'delay', 'file', 'command'] as const;

/** `wait_for: [{ipv4: eth0}, {file: /run/ready, timeout: 30s}, {delay: 5s}, ...]`. */
export function readWaitFor(r: EntryReader, type: string): WaitCondition[] | undefined {
  const f = r.fields.get('wait_for');
  if (!f) return undefined;
  r.keyAt.wait_for = r.loc(f.keyNode);
  if (!isSeq(f.value)) return undefined; // the schema reports it
  const out: WaitCondition[] = [];
  for (const item of f.value.items) {
    const node = deref(r.file, item);
    if (!isMap(node)) continue;
    const e = new Map(r.pairs(node).map((x) => [x.key, x]));
    const kinds = CONDITIONS.filter((k) => e.has(k));
    if (kinds.length !== 1) {
      r.valueError(
        `each wait_for item of ${r.owner} is one condition: ${CONDITIONS.join(', ')} (it has ${kinds.length === 0 ? 'none' : kinds.join(' and ')})`,
        node,
      );
      continue;
    }
    const kind = kinds[0];
    const v = e.get(kind)!;
    const timeoutS = duration(r, e.get('timeout')?.value, 'wait_for timeout', WAIT_TIMEOUT_S);
    switch (kind) {
      case 'ipv4':
      case 'ipv6': {
        const nic = scalarText(v.value);
        if (nic) out.push({ kind, nic, timeoutS });
        break;
      }
      case 'agent':
        if (type !== 'virtual-machine') {
          r.valueError(
            `wait_for agent of ${r.owner} applies to virtual machines only: a container has no agent (LXD runs its commands directly)`,
            v.keyNode,
            'remove it; wait for a file or a command instead',
          );
          break;
        }
        out.push({ kind, timeoutS });
        break;
      case 'delay':
        out.push({ kind, seconds: duration(r, v.value, 'wait_for delay', 0) });
        break;
      case 'file': {
        const path = scalarText(v.value);
        if (path === undefined) break;
        if (!path.startsWith('/')) {
          r.valueError(`wait_for file "${path}" of ${r.owner} must be an absolute path inside the instance`, v.value);
          break;
        }
        out.push({ kind, path, timeoutS });
        break;
      }
      case 'command': {
        const command = strings(r, v.value);
        if (command && command.length > 0) out.push({ kind, command, timeoutS });
        break;
      }
    }
  }
  return out.length > 0 ? out : undefined;
}

/** Commands run and conditions checked need the instance running. */
export function checkRunning(r: EntryReader, state: string, execs: unknown, waitFor: unknown): void {
  if (state === 'running') return;
  for (const key of ['execs', 'wait_for'] as const) {
    if ((key === 'execs' ? execs : waitFor) === undefined) continue;
    r.valueError(
      `${key}: of ${r.owner} need the instance running, and it is declared ${state}`,
      r.fields.get(key)!.keyNode,
      'remove them, or keep the instance running (state: running)',
    );
  }
}
