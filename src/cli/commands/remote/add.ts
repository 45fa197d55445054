import { Args, Flags } from '@oclif/core';
import { addRemote } from '../../../workflow/remotes.js';
import { BaseCommand } from '../../base.js';

export default class RemoteAdd extends BaseCommand {
  static override summary = 'Trust lxplan on a remote LXD or Incus server with a trust token, and pin the server.';
  static override description = [
    'Make the token on the server: `lxc config trust add` (or `incus config trust add`). lxplan checks that the server at URL',
    '(default: the address in the token) presents the certificate the token names, sends the token, and writes the remote',
    "in the lxc CLI's format to $LXPLAN_CONF (default ~/.config/lxplan): config.yml, servercerts/NAME.crt, and a client",
    'certificate made on first use. Manifests then name it with `remote: NAME`, or plans use --remote NAME.',
  ].join('\n');
  static override examples = ['<%= config.bin %> remote add prod https://lxd1.example.net:8443 --token eyJjbGllbnRf...'];
  static override args = {
    name: Args.string({ description: 'the name manifests and --remote use for the server', required: true }),
    url: Args.string({ description: 'https://HOST[:PORT] (default: the first address in the token)' }),
  };
  static override flags = {
    token: Flags.string({
      description: 'trust token from `lxc config trust add` on the server',
      required: true,
      env: 'LXPLAN_TRUST_TOKEN',
      helpValue: 'TOKEN',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RemoteAdd);
    const r = await addRemote(args.name, args.url, flags.token);
    if (r.createdIdentity) this.note(`Made a client certificate in ${r.dir}.\n`);
    this.print(
      `${r.alreadyTrusted ? 'Already trusted by' : 'Trusted by'} remote "${r.name}" at ${r.url} (server certificate SHA-256 ${r.fingerprint}, pinned).\n`,
    );
  }
}
