/**
 * How `instances:` is read from the manifests (src/manifest/kind.ts): image or copy source,
 * profiles, config with limits: folded in, devices, snapshots:, files:.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { LxplanError, type SourceLocation } from '../../errors.js';
import { scalarText, type EntryReader } from '../../manifest/entry.js';
import { closestName } from '../../manifest/hints.js';
import type { KindManifest } from '../../manifest/kind.js';
import { deref, formatLocation } from '../../manifest/parse.js';
import { schemaKeys } from '../../manifest/schema.js';
import { sha256Of } from './files.js';
import { instanceKeyProblem } from './config-keys.js';
import { deviceReferences, readConfigAndDevices } from './manifest-config.js';
import { readInstanceFiles } from './manifest-files.js';
import { checkRunning, readExecs, readWaitFor } from './execs-manifest.js';
import type { CopySource, DesiredFile, DesiredInstance, InstanceState } from './types.js';

/** The keys of an instance, from the schema (read on first use). */
let instanceKeys: ReadonlySet<string> | undefined;

/** Why `name` is not a valid instance name, or null: hostnames (LXD's validate.IsHostname; LXD 5.0 also refuses a leading digit). */
export function instanceNameProblem(name: string): string | null {
  const why = (rule: string) => `invalid instance name "${name}": ${rule}`;
  if (name.length < 1 || name.length > 63) return why('instance names are 1 to 63 characters long');
  if (!/^[A-Za-z0-9-]+$/.test(name)) return why('instance names may contain only ASCII letters, digits and hyphens (they become hostnames)');
  if (!/^[A-Za-z]/.test(name)) return why('instance names must start with a letter');
  if (name.endsWith('-')) return why('instance names must not end with a hyphen');
  return null;
}

function readInstance(r: EntryReader, name: string, at: SourceLocation): DesiredInstance {
  const image = r.text('image') ?? '';
  const state = (r.text('state') ?? 'running') as InstanceState;
  const type = (r.text('type') ?? 'container') as DesiredInstance['type'];
  const description = r.text('description') ?? '';
  let profiles = ['default'];
  const pf = r.fields.get('profiles');
  if (pf) {
    r.keyAt.profiles = r.loc(pf.keyNode);
    if (isSeq(pf.value)) {
      profiles = [];
      pf.value.items.forEach((item, i) => {
        const node = deref(r.file, item);
        const v = scalarText(node);
        if (v === undefined) return;
        r.keyAt[`profiles.${i}`] = r.loc(node);
        profiles.push(v);
      });
    }
  }
  const { config, devices } = readConfigAndDevices(r, { kind: 'instance', type: type === 'virtual-machine' || type === 'container' ? type : undefined });
  const protect = r.text('protect') === 'true';
  if (protect) config['security.protection.delete'] = 'true';
  const restart = r.text('restart') === 'auto' ? 'auto' : 'manual';
  const renamedFrom = r.text('renamed_from');
  // Named snapshots, each item's position kept as keyAt["snapshots.<i>"] (the loader makes them objects).
  const snapshots: string[] = [];
  const sf = r.fields.get('snapshots');
  if (sf) {
    r.keyAt.snapshots = r.loc(sf.keyNode);
    if (isSeq(sf.value)) {
      sf.value.items.forEach((item) => {
        const node = deref(r.file, item);
        const v = scalarText(node);
        if (v === undefined || snapshots.includes(v)) return;
        r.keyAt[`snapshots.${snapshots.length}`] = r.loc(node);
        snapshots.push(v);
      });
    }
  }
  const copyOf = copySource(r, at);
  const files = readFiles(r);
  if (files && type === 'virtual-machine') {
    // LXD writes a VM's files through the lxd-agent inside it, which runs only while the VM does:
    // lxplan writes files before the first start.
    r.valueError(
      `files: of ${r.owner} are for containers only: LXD writes a virtual machine's files through its agent, which needs the VM running`,
      r.fields.get('files')!.keyNode,
      'use cloud-init data (cloud-init.user-data write_files) for a virtual machine',
    );
  }
  const ephemeralText = r.text('ephemeral');
  const ephemeral = ephemeralText === undefined ? undefined : ephemeralText === 'true';
  const architecture = r.text('architecture');
  const project = r.text('project');
  const target = r.text('target');
  const execs = readExecs(r, new Set(Object.keys(files ?? {})));
  const waitFor = readWaitFor(r, type);
  checkRunning(r, state, execs, waitFor);
  return {
    ...(project ? { project } : {}),
    kind: 'instance',
    name,
    at,
    keyAt: r.keyAt,
    image,
    profiles,
    description,
    config,
    devices,
    state,
    type,
    protect,
    restart,
    ...(renamedFrom ? { renamedFrom } : {}),
    ...r.sensitive(),
    ...(snapshots.length > 0 ? { snapshots } : {}),
    ...(copyOf ? { copyOf } : {}),
    ...(files ? { files } : {}),
    ...(ephemeral !== undefined ? { ephemeral } : {}),
    ...(architecture ? { architecture } : {}),
    ...(target ? { target } : {}),
    ...(execs ? { execs } : {}),
    ...(waitFor ? { waitFor } : {}),
  };
}

/**
 * `source: {instance, snapshot}` (a copy) instead of `image:`: exactly one of them. Checked here
 * rather than in the schema, whose oneOf findings read badly. A typo of either key is left to
 * the schema's unknown-key error (its did-you-mean), so one mistake gives one error.
 */
function copySource(r: EntryReader, at: SourceLocation): CopySource | undefined {
  const src = r.fields.get('source');
  const hasImage = r.fields.has('image');
  if (!src) {
    instanceKeys ??= new Set(schemaKeys('instance'));
    const typo = [...r.fields.keys()].some((k) => !instanceKeys!.has(k) && closestName(k, ['image', 'source']) !== undefined);
    if (!hasImage && !typo) {
      r.errors.push(
        new LxplanError('manifest.schema', `missing key "image" in ${r.owner}`, {
          location: at,
          hint: 'name an image alias from images: or one that exists in LXD, or copy an instance with source: {instance: NAME}',
        }),
      );
    }
    return undefined;
  }
  r.keyAt.source = r.loc(src.keyNode);
  if (hasImage) {
    r.errors.push(
      new LxplanError('manifest.value', `${r.owner} gives both image: (at ${formatLocation(r.keyAt.image)}) and source:`, {
        location: r.keyAt.source,
        hint: 'an instance is made from an image or copied from another instance: keep one of them',
      }),
    );
  }
  const out: Partial<CopySource> = {};
  for (const p of r.pairs(src.value)) {
    if (p.key !== 'instance' && p.key !== 'snapshot') continue;
    const v = scalarText(p.value);
    if (v === undefined || v === '') continue; // the schema reports it
    out[p.key] = v;
    r.keyAt[`source.${p.key}`] = r.loc(p.keyNode);
  }
  return out.instance ? { instance: out.instance, ...(out.snapshot ? { snapshot: out.snapshot } : {}) } : undefined;
}

/**
 * `files: {/path: {content: ... | source: ./file, mode, uid, gid, sensitive}}`. Inline content is
 * hashed here; a `source:` file is read by the loader (readInstanceFiles), relative to this
 * manifest's folder. Each file's key position is kept as keyAt["files.<path>"].
 */
function readFiles(r: EntryReader): Record<string, DesiredFile> | undefined {
  const f = r.fields.get('files');
  if (!f) return undefined;
  r.keyAt.files = r.loc(f.keyNode);
  const out: Record<string, DesiredFile> = {};
  for (const p of r.pairs(f.value)) {
    r.keyAt[`files.${p.key}`] = r.loc(p.keyNode);
    if (!p.key.startsWith('/') || p.key.endsWith('/') || p.key.split('/').some((s) => s === '..' || s === '.')) {
      r.valueError(`file path "${p.key}" of ${r.owner} must be an absolute path to a file inside the instance, such as /etc/motd`, p.keyNode);
      continue;
    }
    if (!isMap(p.value)) continue; // the schema reports it
    const e = new Map(r.pairs(p.value).map((x) => [x.key, x]));
    const content = e.get('content');
    const source = e.get('source');
    if ((content === undefined) === (source === undefined)) {
      r.valueError(
        `file "${p.key}" of ${r.owner} needs exactly one of content: and source:`,
        content === undefined ? p.keyNode : source!.keyNode,
        'content: is the text itself; source: is a file beside the manifest whose bytes are pushed',
      );
      continue;
    }
    const modeNode = e.get('mode')?.value ?? null;
    const modeText = scalarText(modeNode) ?? '0644';
    const mode = /^(0o|0)?[0-7]{3}$/.test(modeText) ? `0${modeText.slice(-3)}` : undefined;
    if (mode === undefined) {
      r.valueError(`invalid mode "${modeText}" of file "${p.key}" of ${r.owner}: write it in octal, like "0644" or "0600"`, modeNode);
      continue;
    }
    const id = (k: 'uid' | 'gid') => Number(scalarText(e.get(k)?.value ?? null) ?? 0);
    const sensitive = isScalar(e.get('sensitive')?.value) && (e.get('sensitive')!.value as { value: unknown }).value === true;
    const base = { mode, uid: id('uid'), gid: id('gid'), ...(sensitive ? { sensitive } : {}) };
    if (content) {
      const text = scalarText(content.value);
      if (text === undefined) continue; // the schema reports it
      const bytes = Buffer.from(text, 'utf8');
      out[p.key] = { content: bytes.toString('base64'), sha256: sha256Of(bytes), ...base };
    } else {
      const rel = scalarText(source!.value);
      if (rel === undefined || rel === '') continue; // the schema reports it
      r.keyAt[`files.${p.key}.source`] = r.loc(source!.value);
      out[p.key] = { content: '', sha256: '', source: path.resolve(path.dirname(r.file.abs), rel), ...base };
    }
  }
  return out;
}

export const instanceManifest: KindManifest<DesiredInstance> = {
  section: 'instances',
  normalise: readInstance,
  store(m, objects) {
    m.instances = objects;
  },
  nameProblem: instanceNameProblem,
  /** Its image (unless a copy: the planner checks the source, it knows LXD's instances), its profiles, what its devices use. */
  references: (d) => [
    ...(d.copyOf ? [] : [{ kind: 'image' as const, name: d.image, at: d.keyAt?.image ?? d.at }]),
    ...d.profiles.map((p, i) => ({ kind: 'profile' as const, name: p, at: d.keyAt?.[`profiles.${i}`] ?? d.keyAt?.profiles ?? d.at })),
    ...deviceReferences(d),
  ],
  configKeyProblem: instanceKeyProblem,
  envConfig: true,
  checks: [readInstanceFiles],
};
