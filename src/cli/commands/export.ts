import { Args, Flags } from '@oclif/core';
import { LxplanError } from '../../errors.js';
import type { Kind } from '../../resources/types.js';
import { exportLive, writeExport } from '../../workflow/adopt.js';
import { BaseCommand, commonFlags } from '../base.js';

export default class Export extends BaseCommand {
  static override summary = 'Write manifests for what LXD has: instances and profiles, as they are.';
  static override description = `Prints the manifest (or writes DIR/lxplan.yaml) for every instance and profile of the LXD project, or only those named. To adopt an existing host: export into a folder, then lxplan import each object (or run with --import), and lxplan says "No changes.".`;
  static override examples = ['<%= config.bin %> export', '<%= config.bin %> export adopted/ --import', '<%= config.bin %> export --kind instance --name web-9'];
  static override args = { dir: Args.string({ description: 'folder to write lxplan.yaml into (default: print it)' }) };
  static override flags = {
    ...commonFlags,
    kind: Flags.string({ description: 'only objects of this kind', options: ['instance', 'profile'] }),
    name: Flags.string({ description: 'only objects of this name (repeatable)', multiple: true }),
    import: Flags.boolean({ description: 'also record every exported object in DIR\'s state as managed (adopt the host in one step)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const connectOpts = { statePath: flags.state, project: flags.project, socket: flags.socket };
    if (flags.import && !args.dir) throw new LxplanError('usage', '--import needs a DIR to write the manifest and its state into');
    const only = (flags.name ?? []).flatMap((name) => (flags.kind ? [{ kind: flags.kind as Kind, name }] : [{ kind: 'instance' as Kind, name }]));
    const text = await exportLive({ ...connectOpts, only, kind: flags.kind as Kind | undefined });
    if (!args.dir) {
      this.print(text);
      return;
    }
    const file = await writeExport(args.dir, text);
    this.print(`Wrote ${file}.\n`);
    if (flags.import) {
      const { importObjects } = await import('../../workflow/adopt.js');
      const { loadManifests } = await import('../../manifest/index.js');
      const m = await loadManifests(args.dir);
      const objects = [...Object.keys(m.profiles).map((name) => ({ kind: 'profile' as Kind, name })), ...Object.keys(m.instances).map((name) => ({ kind: 'instance' as Kind, name }))];
      const done = await importObjects(args.dir, objects, connectOpts);
      this.print(`Imported ${done.length} object(s) into ${args.dir}: lxplan ${args.dir} plans against them now.\n`);
    }
  }
}
