import { Args } from '@oclif/core';
import { registry } from '../../resources/registry.js';
import type { Manifest } from '../../resources/types.js';
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
    // A directory whose files name several daemons: each daemon's part is checked on its own (references stay on one daemon).
    const parts = m.spans ? await Promise.all(m.spans.map((r) => loadChecked(args.path, r))) : [m];
    // The objects the manifests declare in their sections (not those derived from others, such as snapshots).
    const count = (p: Manifest) =>
      registry.filter((e) => e.manifest.section && !e.manifest.uncounted).reduce((sum, e) => sum + Object.keys(e.spec.desired(p)).length, 0);
    const n = parts.reduce((sum, p) => sum + count(p), 0);
    this.print(
      `${this.out.green('Valid:')} ${m.files.length} file(s), ${n} object(s)${m.spans ? ` on ${m.spans.length} daemons (${m.spans.join(', ')})` : ''}.\n`,
    );
  }
}
