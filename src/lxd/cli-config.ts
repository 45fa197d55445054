/**
 * Remotes as the `lxc` and `incus` command-line tools keep them, so that `remote: prod` in a
 * manifest means what `lxc list prod:` means. A config directory holds:
 *
 *   config.yml                 remotes: {NAME: {addr, protocol, auth_type, project, public}}
 *   client.crt, client.key     the client certificate the tool authenticates with
 *   servercerts/NAME.crt       the server certificate pinned when the remote was added
 *
 * Directories are looked in, in this order: lxplan's own ($LXPLAN_CONF, else
 * ~/.config/lxplan: what `lxplan remote add` writes, in the same format), lxc's ($LXD_CONF, else
 * ~/.config/lxc, else the snap's ~/snap/lxd/common/config), incus's ($INCUS_CONF, else
 * ~/.config/incus). The first directory naming the remote wins; its own client certificate is
 * the one used with it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { LxplanError } from '../errors.js';

export type CliTool = 'lxplan' | 'lxc' | 'incus';

export interface ConfigDir {
  tool: CliTool;
  dir: string;
}

export interface CliRemoteEntry {
  addr: string;
  protocol?: string;
  auth_type?: string;
  project?: string;
  public?: boolean;
}

/** A remote found in a CLI config directory, with the files that go with it. */
export interface CliRemote {
  name: string;
  url: string;
  protocol: string;
  /** The project the CLI uses by default on this remote (absent: default). */
  project?: string;
  /** PEM of servercerts/NAME.crt, when the CLI pinned one. */
  serverCertificate?: string;
  /** PEM of the directory's client.crt / client.key, when present. */
  clientCertificate?: string;
  clientKey?: string;
  from: ConfigDir;
}

/** The config directories, in the order they are consulted. */
export function configDirs(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): ConfigDir[] {
  const dirs: ConfigDir[] = [{ tool: 'lxplan', dir: env.LXPLAN_CONF || path.join(home, '.config', 'lxplan') }];
  if (env.LXD_CONF) dirs.push({ tool: 'lxc', dir: env.LXD_CONF });
  else dirs.push({ tool: 'lxc', dir: path.join(home, '.config', 'lxc') }, { tool: 'lxc', dir: path.join(home, 'snap', 'lxd', 'common', 'config') });
  dirs.push({ tool: 'incus', dir: env.INCUS_CONF || path.join(home, '.config', 'incus') });
  return dirs;
}

/** The remotes of one directory's config.yml ({} when there is none). */
export function readRemotes(dir: string): Record<string, CliRemoteEntry> {
  const file = path.join(dir, 'config.yml');
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LxplanError('manifest.syntax', `${file}: not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  const remotes = (doc as { remotes?: unknown } | null)?.remotes;
  if (!remotes || typeof remotes !== 'object') return {};
  const out: Record<string, CliRemoteEntry> = {};
  for (const [name, r] of Object.entries(remotes as Record<string, unknown>)) {
    if (r && typeof r === 'object' && typeof (r as CliRemoteEntry).addr === 'string') out[name] = r as CliRemoteEntry;
  }
  return out;
}

function readIf(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The remote NAME from the first config directory that has it (undefined: none has it). */
export function findCliRemote(name: string, dirs: ConfigDir[] = configDirs()): CliRemote | undefined {
  for (const from of dirs) {
    const entry = readRemotes(from.dir)[name];
    if (!entry) continue;
    return {
      name,
      url: entry.addr,
      protocol: entry.protocol ?? 'lxd',
      ...(entry.project ? { project: entry.project } : {}),
      serverCertificate: readIf(path.join(from.dir, 'servercerts', `${name}.crt`)),
      clientCertificate: readIf(path.join(from.dir, 'client.crt')),
      clientKey: readIf(path.join(from.dir, 'client.key')),
      from,
    };
  }
  return undefined;
}

/**
 * The protocols of a daemon lxplan can manage: lxc writes `protocol: lxd`, the incus CLI
 * `protocol: incus` (Incus 6.0; its image servers are simplestreams or oci).
 */
export const DAEMON_PROTOCOLS: readonly string[] = ['lxd', 'incus'];

/** Whether a remote's protocol is a daemon's (not an image server's). */
export function isDaemonProtocol(protocol: string): boolean {
  return DAEMON_PROTOCOLS.includes(protocol);
}

/** Whether an entry is an LXD or Incus daemon over HTTPS (not an image server, not the local socket). */
export function isDaemonRemote(e: CliRemoteEntry): boolean {
  return /^https:\/\//.test(e.addr) && isDaemonProtocol(e.protocol ?? 'lxd');
}

/** Every daemon remote the config directories know, for messages. */
export function knownRemoteNames(dirs: ConfigDir[] = configDirs()): string[] {
  return [
    ...new Set(
      dirs.flatMap((d) =>
        Object.entries(readRemotes(d.dir))
          .filter(([, e]) => isDaemonRemote(e))
          .map(([n]) => n),
      ),
    ),
  ].sort();
}

/**
 * Adds (or replaces) a remote in a config directory, in the CLI's format: the entry in
 * config.yml (other entries and comments kept) and the server's certificate in servercerts/.
 */
export function writeCliRemote(dir: string, name: string, entry: CliRemoteEntry, serverCertificate: string): void {
  mkdirSync(path.join(dir, 'servercerts'), { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'config.yml');
  const doc = existsSync(file) ? YAML.parseDocument(readFileSync(file, 'utf8')) : new YAML.Document({});
  if (!doc.has('remotes')) doc.set('remotes', doc.createNode({}));
  doc.setIn(
    ['remotes', name],
    doc.createNode({
      addr: entry.addr,
      auth_type: entry.auth_type ?? 'tls',
      project: entry.project ?? 'default',
      protocol: entry.protocol ?? 'lxd',
      public: entry.public ?? false,
    }),
  );
  writeFileSync(file, doc.toString(), { mode: 0o600 });
  writeFileSync(path.join(dir, 'servercerts', `${name}.crt`), serverCertificate, { mode: 0o644 });
}
