/**
 * `${env:NAME}` in config values: read from the environment when lxplan runs, so secrets stay
 * out of git. Such values are sensitive: views print "(sensitive)", the state keeps a hash.
 */
import { LxplanError } from '../errors.js';
import type { DesiredImage, DesiredObject, DesiredSnapshot, Manifest } from '../resources/types.js';

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function resolveEnvRefs(m: Manifest, env: NodeJS.ProcessEnv): LxplanError[] {
  const errors: LxplanError[] = [];
  // Every kind with a config map (images have none; snapshots' is always empty).
  const withConfig: Array<Exclude<DesiredObject, DesiredImage | DesiredSnapshot>> = [
    ...Object.values(m.profiles), ...Object.values(m.instances), ...Object.values(m.networks),
    ...Object.values(m.storagePools), ...Object.values(m.storageVolumes), ...(m.server ? [m.server] : []),
  ];
  for (const o of withConfig) {
    for (const [key, value] of Object.entries(o.config)) {
      if (!value.includes('${env:')) continue;
      const missing: string[] = [];
      o.config[key] = value.replace(REF, (_all, name: string) => {
        const v = env[name];
        if (v === undefined) missing.push(name);
        return v ?? '';
      });
      for (const name of missing) {
        errors.push(new LxplanError('manifest.value', `environment variable ${name} is not set (used by config ${key} of ${o.kind} "${o.name}")`, {
          location: o.keyAt?.[`config.${key}`] ?? o.at,
          hint: `export ${name}=... before running lxplan`,
        }));
      }
      o.sensitive = [...new Set([...(o.sensitive ?? []), key])];
    }
  }
  return errors;
}
