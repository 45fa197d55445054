/**
 * The subset of LXD's REST API objects lxplan reads and writes (see LXD's shared/api and
 * rest-api.yaml). Field names are LXD's own.
 */
export type ConfigMap = Record<string, string>;
export type Device = Record<string, string>;
export type DeviceMap = Record<string, Device>;

export interface LxdServer {
  api_version: string;
  api_extensions: string[];
  environment?: {
    server?: string;
    server_version?: string;
    server_name?: string;
    driver?: string;
    kernel_version?: string;
    /** SHA-256 of the server certificate; on a cluster, of the cluster certificate every member shares. */
    certificate_fingerprint?: string;
    server_clustered?: boolean;
  };
  /** The server's config keys (GET /1.0). */
  config?: ConfigMap;
}

/** GET /1.0/instances?recursion=1 element. `config`/`devices` are the instance's own (local). */
export interface LxdInstance {
  name: string;
  type: 'container' | 'virtual-machine';
  architecture: string;
  config: ConfigMap;
  devices: DeviceMap;
  ephemeral: boolean;
  profiles: string[];
  stateful: boolean;
  description: string;
  status: string; // "Running", "Stopped", "Frozen", ...
  status_code: number;
  expanded_config?: ConfigMap;
  expanded_devices?: DeviceMap;
  location?: string;
  project?: string;
}

/** The writable part of an instance (PUT /1.0/instances/{name}). */
export interface LxdInstancePut {
  architecture?: string;
  config: ConfigMap;
  devices: DeviceMap;
  ephemeral?: boolean;
  profiles: string[];
  stateful?: boolean;
  description?: string;
}

/** POST /1.0/instances. */
export interface LxdInstancesPost extends LxdInstancePut {
  name: string;
  type?: 'container' | 'virtual-machine';
  source: { type: 'image'; alias?: string; fingerprint?: string } | { type: 'none' } | { type: 'copy'; source: string; instance_only?: boolean };
  start?: boolean;
}

/** An instance snapshot (GET /1.0/instances/{name}/snapshots/{snapshot}); `instance` is filled in by the client. */
export interface LxdInstanceSnapshot {
  name: string;
  instance: string;
  created_at: string;
  expires_at?: string;
  stateful: boolean;
  architecture?: string;
  config: ConfigMap;
  devices: DeviceMap;
  profiles: string[];
  ephemeral?: boolean;
  description?: string;
}

export interface LxdInstanceState {
  status: string;
  status_code: number;
  pid: number;
}

export interface LxdProfile {
  name: string;
  description: string;
  config: ConfigMap;
  devices: DeviceMap;
  used_by?: string[];
}

export interface LxdImageAlias {
  name: string;
  description?: string;
}

export interface LxdImage {
  fingerprint: string;
  aliases: LxdImageAlias[];
  architecture: string;
  auto_update: boolean;
  public: boolean;
  properties: Record<string, string>;
  size: number;
  filename?: string;
  type?: string;
  created_at?: string;
  uploaded_at?: string;
  /** Where LXD pulled it from, recorded for auto_update (a pull by alias that downloaded it). */
  update_source?: { alias?: string; server?: string; protocol?: string; certificate?: string };
}

/** GET /1.0/images/aliases?recursion=1 element. */
export interface LxdImageAliasEntry {
  name: string;
  target: string;
  description?: string;
  type?: string;
}

export interface LxdProject {
  name: string;
  description: string;
  config: ConfigMap;
  used_by?: string[];
}

/**
 * GET /1.0/networks?recursion=1 element (rest-api.yaml: Network). `type` and `name` are fixed
 * at creation (NetworksPost); NetworkPut holds only config and description.
 */
export interface LxdNetwork {
  name: string;
  /** bridge, macvlan, sriov, ovn, physical; "loopback", "physical", "unknown" ... for host interfaces. */
  type: string;
  description: string;
  config: ConfigMap;
  /** False for host interfaces LXD only reports. */
  managed: boolean;
  status?: string;
  used_by?: string[] | null;
  locations?: string[] | null;
  project?: string;
}

/**
 * One rule of a network ACL (rest-api.yaml: NetworkACLRule; doc/network-acls.md). Every field
 * is a string; an empty or absent one matches anything. LXD 5.0.2 requires `action` (allow,
 * reject, drop) and `state` (enabled, disabled, logged): it has no default for state.
 */
export interface LxdNetworkAclRule {
  action: string;
  state: string;
  description?: string;
  source?: string;
  destination?: string;
  protocol?: string;
  source_port?: string;
  destination_port?: string;
  icmp_type?: string;
  icmp_code?: string;
}

/**
 * GET /1.0/network-acls?recursion=1 element (rest-api.yaml: NetworkACL). Project-scoped: it lives
 * where the project's networks live. `used_by` lists the networks, instances and profiles naming
 * it in their security.acls (LXD refuses to delete or rename it while that is not empty).
 */
export interface LxdNetworkAcl {
  name: string;
  description: string;
  ingress: LxdNetworkAclRule[];
  egress: LxdNetworkAclRule[];
  /** user.* keys only. */
  config: ConfigMap;
  used_by?: string[] | null;
  project?: string;
}

/** GET /1.0/storage-pools?recursion=1 element (rest-api.yaml: StoragePool). `driver` is fixed at creation. */
export interface LxdStoragePool {
  name: string;
  driver: string;
  description: string;
  config: ConfigMap;
  status?: string;
  used_by?: string[] | null;
  locations?: string[] | null;
}

/**
 * GET /1.0/storage-pools/{pool}/volumes/{type}?recursion=1 element (rest-api.yaml: StorageVolume).
 * `pool` is not in LXD 5.0's answer (storage_volumes_all came later): the client fills it in.
 */
export interface LxdStorageVolume {
  name: string;
  /** custom, container, virtual-machine, image. */
  type: string;
  pool: string;
  /** filesystem or block (iso on newer LXD); fixed at creation (StorageVolumesPost only). */
  content_type: string;
  description: string;
  config: ConfigMap;
  used_by?: string[] | null;
  location?: string;
  project?: string;
}

export interface LxdOperation {
  description?: string;
  id: string;
  class: string;
  status: string;
  status_code: number;
  err: string;
  resources?: Record<string, string[]>;
  metadata?: Record<string, unknown> | null;
}

// --- clusters (cluster members, their groups; instance placement and moves) ---

/** GET /1.0/cluster/members?recursion=1 element (rest-api.yaml: ClusterMember); `groups` since clustering_groups (LXD 5.0 has it). */
export interface LxdClusterMember {
  server_name: string;
  url: string;
  status: string;
  groups?: string[];
  roles?: string[];
  architecture?: string;
  failure_domain?: string;
  description?: string;
}

/** What GET /1.0's environment says about clustering (environment.server_clustered). */
export interface LxdClusterEnvironment {
  server_clustered?: boolean;
  server_name?: string;
}

/** GET /1.0/storage-pools/{name}?target=M and GET /1.0/networks/{name}?target=M: the object as one member has it (its member-specific keys included). */
export interface LxdMemberConfig {
  config: ConfigMap;
}
