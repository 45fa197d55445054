/**
 * Manifests: the YAML files a user commits, loaded into the desired model
 * (src/resources/types.ts) with located, readable errors.
 */
import type { SourceLocation } from '../errors.js';
import type { DesiredObject } from '../resources/types.js';

export { loadManifests, type LoadOptions } from './load.js';
export { checkReferencesOffline, type KnownNames } from './references.js';
export { manifestSchemaPath } from './schema.js';
export { displayPath } from './files.js';

/**
 * Where a config key of an object is written: under config:, or under limits: for a
 * folded `limits.*` key. Falls back to the object's name.
 */
export function locateConfigKey(o: DesiredObject, key: string): SourceLocation {
  return o.keyAt?.[`config.${key}`] ?? o.keyAt?.[key] ?? o.at;
}
