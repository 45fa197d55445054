import { Args } from '@oclif/core';
import { registry } from '../../resources/registry.js';
import { loadChecked } from '../../workflow/session.js';
import { BaseCommand } from '../base.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check manifests offline: YAML, schema, limits and units, image tarballs.';
  static override description = 'Nothing is read from or sent to LXD. References to profiles and images that only LXD knows are checked by lxplan itself.';
  static override examples = ['<%= config.bin %> validate examples/web'];
  static override args = { path: Args.string({ description: 'manifest directory or file', default: '.' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Validate);
    const m = await loadChecked(args.path);
    // The objects the manifests declare in their sections (not those derived from others, such as snapshots).
    const n = registry.filter((e) => e.manifest.section && !e.manifest.uncounted).reduce((sum, e) => sum + Object.keys(e.spec.desired(m)).length, 0);
    this.print(`${this.out.green('Valid:')} ${m.files.length} file(s), ${n} object(s).\n`);
  }
}
