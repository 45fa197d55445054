/**
 * The LXD project a run works in: the manifests' top-level `project:` key or --project /
 * LXPLAN_PROJECT; both given and different is an error (neither silently wins: a shell that
 * exports LXPLAN_PROJECT=dev must not apply a prod directory to dev, nor the reverse).
 *
 * The one place this is decided. Every command that reads manifests gets its project from here
 * through session.ts connectScoped (plan, apply, --refresh-only, --restore, import); a saved plan
 * carries the project it was made for; export reads no manifests (--project, else default) and
 * writes the project it read as `project:`; force-unlock touches only the state file.
 */
import { LxplanError } from '../errors.js';
import { formatLocation } from '../manifest/parse.js';
import type { Manifest } from '../resources/types.js';

export function resolveProject(flag: string | undefined, manifest: Manifest): string {
  const declared = manifest.project;
  if (flag && declared !== undefined && flag !== declared) {
    throw new LxplanError(
      'usage',
      `--project (or LXPLAN_PROJECT) says "${flag}" and the manifests say project: ${declared} at ${formatLocation(manifest.projectAt!)}`,
      {
        location: manifest.projectAt,
        hint: `leave out --project (and unset LXPLAN_PROJECT) to work in "${declared}", or make them agree`,
      },
    );
  }
  return declared ?? (flag || 'default');
}
