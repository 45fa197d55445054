/** Runs the built lxplan/lxapply binaries as a user would, and writes manifests for them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = { lxplan: path.join(root, 'bin/lxplan.js'), lxapply: path.join(root, 'bin/lxapply.js') };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function start(bin: keyof typeof BIN, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN[bin], ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finish(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function run(bin: keyof typeof BIN, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return finish(start(bin, args, env));
}

/** A folder with the given manifest files; removed by the returned cleanup. */
export async function manifestDir(
  files: Record<string, string>,
): Promise<{ dir: string; write(files: Record<string, string>): Promise<void>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lxplan-it-'));
  const write = async (fs: Record<string, string>) => {
    for (const [name, text] of Object.entries(fs)) await writeFile(path.join(dir, name), text);
  };
  await write(files);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/**
 * A unix socket in front of LXD's that records the request line of every HTTP request going
 * through it (`--socket` pointed at it): what a run of the CLI really asks LXD.
 */
export async function countingSocket(): Promise<{ path: string; requests: string[]; close(): Promise<void> }> {
  const { connect, createServer } = await import('node:net');
  const { resolveSocketPath } = await import('../../src/lxd/socket.js');
  const upstreamPath = resolveSocketPath();
  const dir = await mkdtemp(path.join(tmpdir(), 'lxplan-proxy-'));
  const socket = path.join(dir, 'lxd.sock');
  const requests: string[] = [];
  const line = /(?:^|\r\n)(GET|HEAD|POST|PUT|PATCH|DELETE) (\/\S*) HTTP\/1\.[01]\r\n/g;
  const server = createServer((client) => {
    const upstream = connect(upstreamPath);
    client.on('data', (chunk) => {
      for (const m of chunk.toString('latin1').matchAll(line)) requests.push(`${m[1]} ${m[2]}`);
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => server.listen(socket, resolve).on('error', reject));
  return {
    path: socket,
    requests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
