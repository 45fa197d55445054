/** The config keys of the LXD server (src/resources/config-keys.ts); values are checked by validateServerValue (spec.ts). */
import { compile, lookup, unknown, USER, type Compiled, type ConfigKeyProblem } from '../config-keys.js';
import { SERVER_KEYS } from '../lxd-config-keys.js';
import { LXD_5_0_SERVER } from '../lxd-config-keys-5.0.js';

let table: Compiled | undefined;
/** Compiled on first use (the registry imports this file while config-keys.ts may still be loading). */
const serverTable = () => (table ??= compile(SERVER_KEYS, LXD_5_0_SERVER, USER));

export function serverKeyProblem(_owner: unknown, label: string, key: string): ConfigKeyProblem | undefined {
  return lookup(serverTable(), key)
    ? undefined
    : unknown(
        key,
        label,
        serverTable(),
        'server keys are core.*, images.*, cluster.*, storage.*, network.ovn.*, ... (lxc config set); free-form keys go under user.*',
      );
}
