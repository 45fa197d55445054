import { Args } from '@oclif/core';
import { LxplanError } from '../../errors.js';
import { KINDS } from '../../resources/registry.js';
import type { Kind } from '../../resources/types.js';
import { importObjects } from '../../workflow/adopt.js';
import { openSession } from '../../workflow/session.js';
import { BaseCommand, commonFlags } from '../base.js';
import { renderPlan } from '../views/plan-human.js';

export default class Import extends BaseCommand {
  static override summary = "Bring an object that exists in LXD under lxplan's management, without recreating it.";
  static override description = `The object must be declared in the manifests (lxplan export writes a manifest for it). It is recorded in the state as it is in LXD; an instance's image is the one LXD recorded it was made from (volatile.base_image). Then the plan for it is shown: "No changes." when the manifest matches LXD.`;
  static override examples = [
    '<%= config.bin %> import instance web-9 examples/web',
    '<%= config.bin %> import profile small',
    '<%= config.bin %> import network lxdbr0',
    '<%= config.bin %> import storage_volume default/data',
  ];
  static override args = {
    kind: Args.string({ description: 'instance, profile, image, network, storage_pool, storage_volume or project', required: true, options: [...KINDS] }),
    name: Args.string({ description: 'its name in LXD (an image: its alias; a custom volume: POOL/VOLUME)', required: true }),
    path: Args.string({ description: 'manifest directory or file', default: '.' }),
  };
  static override flags = { ...commonFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Import);
    const connectOpts = this.connectOptions(flags);
    if (!KINDS.includes(args.kind as Kind)) throw new LxplanError('usage', `unknown kind ${args.kind}`);
    const [address, ...builtins] = await importObjects(args.path, [{ kind: args.kind as Kind, name: args.name }], connectOpts);
    this.note(`Imported ${address.replace('.', ' ')}: lxplan manages it now.\n`);
    // The built-ins the manifests declare were adopted with it.
    for (const b of builtins) this.note(`Adopted built-in ${b.replace('.', ' ')} as LXD has it.\n`);
    const session = await openSession({ path: args.path, ...connectOpts, operation: 'plan', planOptions: { targets: [address] } });
    await session.close();
    this.print(renderPlan(session.plan, this.out));
  }
}
