import { listRemotes } from '../../../workflow/remotes.js';
import { BaseCommand } from '../../base.js';

export default class RemoteList extends BaseCommand {
  static override summary = "List the remotes lxplan can reach: its own, then the lxc and incus CLIs' (the first of a name wins).";
  static override examples = ['<%= config.bin %> remote list'];
  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(RemoteList);
    const remotes = listRemotes();
    if (this.jsonEnabled())
      return {
        remotes: remotes.map((r) => ({
          name: r.name,
          url: r.url,
          fingerprint: r.fingerprint ?? null,
          tool: r.from.tool,
          dir: r.from.dir,
          shadowed: r.shadowed,
        })),
      };
    if (remotes.length === 0) {
      this.print('No remotes: add one with `lxplan remote add NAME URL --token TOKEN`.\n');
      return undefined;
    }
    for (const r of remotes) {
      this.print(
        `${r.name}\t${r.url}\t${r.fingerprint ? `pinned ${r.fingerprint.slice(0, 12)}` : 'NOT PINNED'}\t${r.from.tool} (${r.from.dir})${r.shadowed ? '\t(shadowed: an earlier directory has this name)' : ''}\n`,
      );
    }
    return undefined;
  }
}
