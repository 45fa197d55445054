/**
 * Files pushed into an instance (`files: {/etc/motd: {content: ..., mode: "0644", uid: 0, gid: 0}}`
 * or `{source: ./motd}`), through LXD's file API (POST /1.0/instances/NAME/files?path=...).
 *
 * What is compared: each file is two fields, `files.<path>` (its content: the text itself when it is
 * small text, so the plan shows a text diff; otherwise its sha256, so the plan shows a hash change)
 * and `files.<path>:mode` (mode, uid and gid). Both compare on the content's sha256.
 *
 * What the plan reads back: nothing. A file's "live" value is what lxplan last pushed, as recorded
 * in the state's fields: reading every file back would cost one GET per file per plan, and files
 * are usually changed inside the instance by its own software (logs, package upgrades) where a
 * plan cannot tell a change from drift. So an edit of the manifest is detected and pushed; a change
 * made inside the instance is not (docs/manifest.md says so).
 *
 * A file removed from the manifests is no longer managed and stays in the instance as it is:
 * lxplan never deletes what may hold a user's data.
 */
import { createHash } from 'node:crypto';
import { LxplanError } from '../../errors.js';
import { isNotFound, type LxdClient } from '../../lxd/client.js';
import { field } from '../fields.js';
import type { FieldImpact, Fields, OpEvents } from '../spec.js';
import type { DesiredFile, DesiredInstance } from '../types.js';

/** Files at most this big, valid UTF-8 without NULs, show as text (and text diffs) in plans. */
export const TEXT_FILE_MAX = 8 * 1024;
/** Files bigger than this are refused: `files:` is for configuration, a disk device is for data. */
export const FILE_MAX = 1024 * 1024;

export function sha256Of(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The file's bytes. */
export function fileBytes(f: DesiredFile): Buffer {
  return Buffer.from(f.content, 'base64');
}

/** The content as text when it is small text, else undefined. */
export function fileText(bytes: Buffer): string | undefined {
  if (bytes.length > TEXT_FILE_MAX || bytes.includes(0)) return undefined;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** A file's field path; its mode/owner field is this with ":mode". */
export function filePath(path: string): string {
  return `files.${path}`;
}

/** The field paths of secret file contents ("files./etc/app/token"). */
export function sensitiveFilePaths(d: DesiredInstance): string[] {
  return Object.entries(d.files ?? {})
    .filter(([, f]) => f.sensitive)
    .map(([p]) => filePath(p));
}

function modeText(f: DesiredFile): string {
  return `mode ${f.mode}, uid ${f.uid}, gid ${f.gid}`;
}

/**
 * The desired files as fields. A secret file shows its hash (never its text) and compares on the
 * hash of that (planner/fields.ts hashSecret), which is what the state records of a secret (recordFields).
 */
export function desiredFileFields(d: DesiredInstance, out: Fields): void {
  for (const [path, f] of Object.entries(d.files ?? {})) {
    const text = f.sensitive ? undefined : fileText(fileBytes(f));
    const display = text ?? f.sha256;
    out[filePath(path)] = field(display, f.sensitive ? sha256Of(Buffer.from(display, 'utf8')) : f.sha256);
    out[`${filePath(path)}:mode`] = field(modeText(f));
  }
}

/** The files as lxplan last pushed them: the state's recorded fields (nothing is read from LXD). */
export function recordedFileFields(recorded: Record<string, string> | undefined, out: Fields): void {
  for (const [path, value] of Object.entries(recorded ?? {})) {
    if (!path.startsWith('files.')) continue;
    const canon = path.endsWith(':mode') ? value : value.startsWith('sha256:') ? value : sha256Of(Buffer.from(value, 'utf8'));
    out[path] = { ...field(value, canon), fromState: true };
  }
}

/** Files are pushed live, running or not; one removed from the manifests is left in the instance. */
export function fileImpact(path: string, d: DesiredInstance): FieldImpact {
  const file = path.slice('files.'.length).replace(/:mode$/, '');
  if (!d.files?.[file]) return { impact: 'live', note: 'no longer managed: the file stays in the instance as it is' };
  return { impact: 'live', note: 'pushed into the instance, no restart' };
}

/**
 * Writes every declared file (or only those whose fields are in `changed`: an update of other keys
 * touches no file) that differs from the instance's, making missing parent folders.
 * Each is read first (one GET): a file already as declared is left alone (its modification time
 * too); LXD 5.0.2 keeps an existing file's owner and mode on overwrite, so a file whose owner or
 * mode differs is deleted and pushed again (it is absent for that moment).
 */
export async function pushFiles(client: LxdClient, d: DesiredInstance, ev: OpEvents, changed?: readonly string[]): Promise<void> {
  const touched = changed && new Set(changed.map((p) => p.replace(/:mode$/, '')));
  const files = Object.entries(d.files ?? {}).filter(([path]) => !touched || touched.has(filePath(path)));
  if (files.length === 0) return;
  for (const [path, f] of files) {
    const bytes = fileBytes(f);
    const cur = await client.pullFile(d.name, path).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (cur && cur.type !== 'file')
      throw new LxplanError('apply.failed', `cannot write file ${path} into instance "${d.name}": it is a ${cur.type || 'something else'} there`);
    const sameMeta = cur !== undefined && cur.uid === f.uid && cur.gid === f.gid && parseInt(cur.mode, 8) === parseInt(f.mode, 8);
    if (sameMeta && cur.content.equals(bytes)) continue;
    ev.progress(`writing ${path}`);
    if (cur && !sameMeta) await client.deleteFile(d.name, path);
    if (!cur) await makeParents(client, d.name, path, ev);
    await client.pushFile(d.name, path, bytes, { uid: f.uid, gid: f.gid, mode: f.mode });
  }
}

/** Missing parent folders of a new file are made (root's, mode 0755), as `lxc file push -p` does; existing ones are left as they are. */
async function makeParents(client: LxdClient, instance: string, path: string, ev: OpEvents): Promise<void> {
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const cur = await client.pullFile(instance, dir).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (cur && cur.type !== 'directory')
      throw new LxplanError('apply.failed', `cannot write file ${path} into instance "${instance}": ${dir} is a ${cur.type || 'file'} there, not a folder`);
    if (cur) continue;
    ev.progress(`making folder ${dir}`);
    await client.createDirectory(instance, dir, { uid: 0, gid: 0, mode: '0755' });
  }
}
