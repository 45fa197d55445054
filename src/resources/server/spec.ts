/**
 * The LXD server's own config (GET and PATCH /1.0), declared as `server: {config: {...}}`: one
 * object, "server.config", that always exists (built in: adopted when declared, never deleted).
 *
 * Ownership is per key, not per object: the server holds keys set by `lxd init`, by other tools
 * and by hand, and a manifest that names two keys must not unset the rest. So lxplan owns the
 * keys the manifest declares plus those it set before (the state records them, attribute
 * `keys`); the plan compares only those. A key dropped from the manifest that lxplan had set is
 * unset (a delete of that key in the plan); dropping the whole `server:` section unsets every key
 * lxplan set and then forgets the object. Writes are a PATCH of just the changed keys ("" unsets
 * one) with the ETag of the GET as If-Match: LXD 5.0.2 supports PATCH /1.0 and answers 412 when
 * the server config changed meanwhile (checked on the daemon), so keys other tools set between
 * the read and the write are neither lost nor overwritten.
 *
 * Every server key LXD 5.0.2 has applies live (configuration.json "server" marks none as needing
 * a restart; the daemon re-reads them on change).
 */
import type { ConfigMap, LxdServer } from '../../lxd/types.js';
import type { StateEntry } from '../../state/model.js';
import { digestOf, field } from '../fields.js';
import type { Fields, ResourceSpec } from '../spec.js';
import type { DesiredServer } from '../types.js';
import { SERVER_KEYS } from '../lxd-config-keys.js';
import { LXD_5_0_SERVER } from '../lxd-config-keys-5.0.js';
import { parseBool } from '../units.js';

/** The one server object's name (address "server.config"). */
export const SERVER_NAME = 'config';

/** Server keys LXD types as integers, and as booleans (the key table: configuration.json "server", and LXD 5.0's keys it lacks). */
const SERVER_TABLE = { ...SERVER_KEYS, ...LXD_5_0_SERVER };
const INT_KEYS = new Set(Object.keys(SERVER_TABLE).filter((k) => SERVER_TABLE[k].type === 'integer'));
const BOOL_KEYS = new Set(Object.keys(SERVER_TABLE).filter((k) => SERVER_TABLE[k].type === 'bool'));
/** Keys whose values are secrets: shown as "(sensitive)", hashed in the state. */
const SECRET_KEYS = new Set(['loki.auth.password', 'oidc.client.secret', 'network.ovn.client_key']);
/** Keys LXD never reads back as written: a plan could never match them. */
const WRITE_ONLY: Record<string, string> = {
  'core.trust_password': 'LXD stores a hash and reads it back as "true": set it with lxc config set core.trust_password, or use trust tokens',
};

/** Why LXD would refuse `value` for server key `key` (cheap checks only), or null. */
export function validateServerValue(key: string, value: string): string | null {
  if (WRITE_ONLY[key]) return `${key} cannot be managed by lxplan: ${WRITE_ONLY[key]}`;
  if (INT_KEYS.has(key) && !/^-?[0-9]+$/.test(value.trim())) return `invalid ${key} "${value}": a whole number (LXD: "invalid integer")`;
  if (BOOL_KEYS.has(key) && parseBool(value) === null) return `invalid ${key} "${value}": true or false`;
  return null;
}

/** Secret keys among the declared ones (for `sensitive`). */
export function serverSecretKeys(config: ConfigMap): string[] {
  return Object.keys(config).filter((k) => SECRET_KEYS.has(k));
}

function canonicalServerValue(key: string, value: string): string {
  if (INT_KEYS.has(key) && /^-?[0-9]+$/.test(value.trim())) return BigInt(value.trim()).toString();
  if (BOOL_KEYS.has(key)) {
    const b = parseBool(value);
    if (b !== null) return String(b);
  }
  return value;
}

/** The keys lxplan set at its last apply (state attribute "keys", comma-separated). */
function recordedKeys(entry: StateEntry | undefined): string[] {
  return (entry?.attributes?.keys ?? '').split(',').filter(Boolean);
}

/** The keys the plan compares: declared now, or set by lxplan before and still to unset. */
function ownedKeys(d: DesiredServer | undefined): string[] {
  return [...new Set([...Object.keys(d?.config ?? {}), ...(d?.unset ?? [])])];
}

/**
 * LXD's default of server keys that have a fixed one (configuration.json "server", checked on
 * 5.0.2): LXD does not store a key set to its default (PATCH images.remote_cache_expiry=10 reads
 * back as absent), so an absent key of a declared value means the default.
 */
const DEFAULTS: Record<string, string> = {
  'images.auto_update_cached': 'true',
  'images.auto_update_interval': '6',
  'images.compression_algorithm': 'gzip',
  'images.remote_cache_expiry': '10',
  'backups.compression_algorithm': 'gzip',
  'core.shutdown_timeout': '5',
  'core.https_allowed_credentials': 'false',
  'core.metrics_authentication': 'true',
  'core.trust_ca_certificates': 'false',
  'core.bgp_asn': '0',
  'cluster.images_minimal_replica': '3',
  'cluster.max_standby': '2',
  'cluster.max_voters': '3',
  'cluster.offline_threshold': '20',
};

/** The server's config as LXD means it: declared keys it does not store hold their default. */
function withDefaults(config: ConfigMap, declared: ConfigMap): ConfigMap {
  const out = { ...config };
  for (const k of Object.keys(declared)) if (out[k] === undefined && DEFAULTS[k] !== undefined) out[k] = DEFAULTS[k];
  return out;
}

function fieldsOf(config: ConfigMap, keys: Iterable<string>): Fields {
  const f: Fields = {};
  for (const k of keys) if (config[k] !== undefined) f[`config.${k}`] = field(config[k], canonicalServerValue(k, config[k]));
  return f;
}

export const serverSpec: ResourceSpec<DesiredServer, LxdServer> = {
  kind: 'server',
  desired: (m): Record<string, DesiredServer> => (m.server ? { [SERVER_NAME]: m.server } : {}),
  live: (s): Record<string, LxdServer> => (s.server ? { [SERVER_NAME]: s.server } : {}),
  // The keys set before and no longer declared ride on the desired object: the executor unsets them.
  withRecord(d, entry) {
    const unset = recordedKeys(entry).filter((k) => !(d && k in d.config));
    if (!d && unset.length === 0) return undefined;
    const base: DesiredServer = d ?? { kind: 'server', name: SERVER_NAME, config: {}, at: { file: '(state)', line: 1, col: 1 } };
    return unset.length > 0 ? { ...base, unset } : base;
  },
  desiredFields: (d) => fieldsOf(d.config, Object.keys(d.config)),
  liveFields: (l, _ctx, d) => fieldsOf(withDefaults(l.config ?? {}, d?.config ?? {}), ownedKeys(d)),
  fieldImpact: (path, _l, d) => {
    const key = path.slice('config.'.length);
    return d.config[key] === undefined
      ? { impact: 'live', note: "lxplan set this key before and the manifest no longer has it: unset, LXD's default applies" }
      : { impact: 'live' };
  },
  refs: () => [],
  liveRefs: () => [],
  builtin: () => true,
  stateAttributes: (d) => ({ keys: Object.keys(d.config).sort().join(',') }),
  // The whole config: a saved plan is refused if any server key changed since (the PATCH's If-Match would refuse it anyway).
  digest: (l) => digestOf(l.config ?? {}),
};
