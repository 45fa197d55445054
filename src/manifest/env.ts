/**
 * `${env:NAME}` in config values: read from the environment when lxplan runs, so secrets stay
 * out of git. Such values are sensitive: views print "(sensitive)", the state keeps a hash.
 */
import { LxplanError } from '../errors.js';
import { registry } from '../resources/registry.js';
import type { ConfigMap } from '../lxd/types.js';
import type { DesiredBase, Manifest } from '../resources/types.js';

/** An object whose config: may hold ${env:NAME}. */
type WithConfig = DesiredBase & { kind: string; config: ConfigMap };

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${env:NAME}` in one text, read from `env`; the names that are not set are returned (replaced by ""). */
export function resolveEnvText(text: string, env: NodeJS.ProcessEnv): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(REF, (_all, name: string) => {
    const v = env[name];
    if (v === undefined) missing.push(name);
    return v ?? '';
  });
  return { text: out, missing };
}

export function resolveEnvRefs(m: Manifest, env: NodeJS.ProcessEnv): LxplanError[] {
  const errors: LxplanError[] = [];
  // The kinds whose config: may hold ${env:NAME} (KindManifest.envConfig).
  const withConfig = registry.filter((e) => e.manifest.envConfig).flatMap((e) => Object.values(e.spec.desired(m)) as WithConfig[]);
  for (const o of withConfig) {
    for (const [key, value] of Object.entries(o.config)) {
      if (!value.includes('${env:')) continue;
      const { text, missing } = resolveEnvText(value, env);
      o.config[key] = text;
      for (const name of missing) {
        errors.push(
          new LxplanError('manifest.value', `environment variable ${name} is not set (used by config ${key} of ${o.kind} "${o.name}")`, {
            location: o.keyAt?.[`config.${key}`] ?? o.at,
            hint: `export ${name}=... before running lxplan`,
          }),
        );
      }
      o.sensitive = [...new Set([...(o.sensitive ?? []), key])];
    }
  }
  return errors;
}
