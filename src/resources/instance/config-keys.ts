/**
 * The config keys of instances and profiles (src/resources/config-keys.ts): LXD's instance keys
 * with the 5.0.2 ones it lacks, user.*, limits.kernel.*; LXD's own volatile.* and image.* are
 * instance keys only. Values are checked by validateConfigValue (limits.ts).
 */
import { compile, lookup, unknown, USER, type Compiled, type ConfigKeyProblem, type ConfigOwner } from '../config-keys.js';
import { INSTANCE_KEYS } from '../lxd-config-keys.js';
import { LXD_5_0_INSTANCE } from '../lxd-config-keys-5.0.js';

let table: Compiled | undefined;
/** Compiled on first use (the registry imports this file while config-keys.ts may still be loading). */
const instanceTable = () => (table ??= compile(INSTANCE_KEYS, LXD_5_0_INSTANCE, USER, { 'limits.kernel.*': {} }));

const TYPE_WORD = { container: 'containers', 'virtual-machine': 'virtual machines' } as const;

function instanceHint(key: string): string {
  if (key.startsWith('limits.kernel.')) return 'limits.kernel.* takes a resource name, such as limits.kernel.nofile';
  return "free-form keys go under user.* (environment.* for the environment of the instance's processes)";
}

/** A key of an instance (owner.type: its type, absent: any) or of a profile (owner.kind "profile"). */
export function instanceKeyProblem(owner: ConfigOwner, label: string, key: string): ConfigKeyProblem | undefined {
  const isInstance = owner.kind === 'instance';
  if (key.startsWith('volatile.') || key.startsWith('image.')) {
    if (isInstance) return undefined; // LXD's own: never compared (instance-keys.ts isServerComputedKey)
    const what = key.startsWith('volatile.') ? 'volatile.*' : 'image.*';
    return {
      code: 'manifest.value',
      message: `${what} keys are set on instances only, not in a profile: "${key}" of ${label} (LXD: "${what === 'volatile.*' ? 'Volatile' : 'Image'} keys can only be set on instances")`,
      hint: 'move it to the instances that need it',
    };
  }
  const info = lookup(instanceTable(), key);
  if (!info) return unknown(key, label, instanceTable(), instanceHint(key));
  const type = owner.type as keyof typeof TYPE_WORD | undefined;
  if (isInstance && type && info.only && info.only !== type && !key.startsWith('limits.')) {
    // limits.* of the wrong type are reported by the limits check (manifest-config.ts).
    return {
      code: 'manifest.value',
      message: `${key} applies to ${TYPE_WORD[info.only]} only, and ${label} is a ${type} (LXD: "Unknown configuration key")`,
      hint: `remove it here, or set it in a profile used only by ${TYPE_WORD[info.only]}`,
    };
  }
  return undefined; // values: validateConfigValue
}
