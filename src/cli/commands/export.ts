import { Args, Flags } from '@oclif/core';
import { LxplanError } from '../../errors.js';
import { specs } from '../../resources/index.js';
import type { Kind } from '../../resources/types.js';
import { EXPORT_BY_NAME, EXPORT_KINDS, exportLive, IMPORTED_KINDS, writeExport } from '../../workflow/adopt.js';
import { BaseCommand, commonFlags } from '../base.js';

export default class Export extends BaseCommand {
  static override summary =
    'Write manifests for what LXD has: network ACLs, storage pools, networks, custom volumes, profiles and instances (with their snapshots), as they are.';
  static override description = `Prints the manifest (or writes DIR/lxplan.yaml) for every object of the LXD project (pools, and the networks and network ACLs of a project that has none of its own, are the whole host's), or only those named. To adopt an existing host: export into a folder, then lxplan import each object (or run with --import), and lxplan says "No changes.". Images are not exported (lxplan makes them from files you keep); instances refer to them by alias or fingerprint.`;
  static override examples = [
    '<%= config.bin %> export',
    '<%= config.bin %> export adopted/ --import',
    '<%= config.bin %> export --kind instance --name web-9',
  ];
  static override args = { dir: Args.string({ description: 'folder to write lxplan.yaml into (default: print it)' }) };
  static override flags = {
    ...commonFlags,
    kind: Flags.string({ description: 'only objects of this kind', options: [...EXPORT_KINDS] }),
    name: Flags.string({ description: 'only objects of this name (repeatable; a volume is POOL/VOLUME)', multiple: true }),
    import: Flags.boolean({ description: "also record every exported object in DIR's state as managed (adopt the host in one step)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const connectOpts = this.connectOptions(flags);
    if (flags.import && !args.dir) throw new LxplanError('usage', '--import needs a DIR to write the manifest and its state into');
    const only = (flags.name ?? []).map((name) => ({ kind: (flags.kind as Kind | undefined) ?? EXPORT_BY_NAME, name }));
    const text = await exportLive({ ...connectOpts, only, kind: flags.kind as Kind | undefined });
    if (!args.dir) {
      this.print(text);
      return;
    }
    const file = await writeExport(args.dir, text);
    this.note(`Wrote ${file}.\n`);
    if (flags.import) {
      const { importObjects } = await import('../../workflow/adopt.js');
      const { loadManifests } = await import('../../manifest/index.js');
      const m = await loadManifests(args.dir);
      const objects = IMPORTED_KINDS.flatMap((k) => Object.keys(specs[k].desired(m)).map((name) => ({ kind: k, name })))
        // The default profile and pool are built in: importObjects adopts them with the rest.
        .filter((o) => !specs[o.kind].builtin(o.name));
      const done = await importObjects(args.dir, objects, connectOpts);
      this.note(`Imported ${done.length} object(s) into ${args.dir}: lxplan ${args.dir} plans against them now.\n`);
    }
  }
}
