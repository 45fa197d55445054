/**
 * `${env:NAME}` in config values: read from the environment when lxplan runs, so secrets stay
 * out of git. Such values are sensitive: views print "(sensitive)", the state keeps a hash.
 */
import { LxplanError } from '../errors.js';
import type { Manifest } from '../resources/types.js';

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function resolveEnvRefs(m: Manifest, env: NodeJS.ProcessEnv): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const o of [...Object.values(m.profiles), ...Object.values(m.instances), ...(m.server ? [m.server] : [])]) {
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
