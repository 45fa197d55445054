/**
 * The limits: table moved to the instance's folder (src/resources/instance/limits.ts); re-exported
 * here for the importers outside the manifest layer until they import it from there.
 */
export * from './instance/limits.js';
