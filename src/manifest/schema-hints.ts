/**
 * What a kind adds to the schema's findings about its objects (src/manifest/schema.ts turns
 * ajv's errors into sentences; these hooks give the sentences a kind knows better). Each kind
 * that has some exports them from src/resources/<kind>/schema-hints.ts, referenced by its
 * registry entry (`schema:`); a kind without them gets the general sentences.
 */
export interface SchemaHints {
  /** Why a name under the kind's section breaks LXD's rules, or null (the schema's pattern says the same to editors, less precisely). */
  nameProblem?(name: string): string | null;
  /** A hint for a required key an object of the kind lacks, by key (a storage pool's driver: the drivers there are). */
  requiredHints?: Readonly<Record<string, string>>;
  /** The finding for an unknown key of an object (`where`: the object in words) when "unknown key" says too little, e.g. project: on a kind that does not take it. */
  unknownKey?(key: string, where: string): { message: string; hint?: string } | undefined;
}
