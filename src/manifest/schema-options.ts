/** The ajv options of the manifest validator: shared by the run-time compile and the build step (scripts/build-validator.mjs). */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;
