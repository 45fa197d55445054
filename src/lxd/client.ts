/**
 * The only module that talks to LXD. It mirrors LXD's Go client: one method per REST
 * call, getters return the object with its ETag, writers take an ETag and send it as
 * If-Match (so a write never silently overwrites someone else's change), and long
 * actions are waited on until their background operation ends. Errors are LxplanErrors:
 * 'lxd.unreachable' when there is no daemon, LxdApiError ('lxd.api') when it said no.
 */
import { Readable } from 'node:stream';
import { LxdApiError, isNotFound, isProjectMissing } from './errors.js';
import { multipartFiles } from './multipart.js';
import { OP_SUCCESS, operationPath, waitOperation } from './operations.js';
import type {
  LxdImagePut,
  LxdInstanceStatePut,
  LxdNetworkAclPut,
  LxdNetworkAclsPost,
  LxdNetworkPut,
  LxdNetworksPost,
  LxdProfilePut,
  LxdProfilesPost,
  LxdProjectPut,
  LxdProjectsPost,
  LxdStoragePoolPut,
  LxdStoragePoolsPost,
  LxdStorageVolumePut,
  LxdStorageVolumesPost,
  SplitImageUpload,
} from './requests.js';
import { rememberServer, rememberedServer, type ServerInfo } from './server.js';
import { resolveSocketPath } from './socket.js';
import { UnixTransport, type Transport, type TransportRequest } from './transport.js';
import type { LxdClusterMember, LxdMemberConfig } from './types.js';
import type {
  LxdImage,
  LxdImageAliasEntry,
  LxdInstance,
  LxdInstancePut,
  LxdInstanceSnapshot,
  LxdInstanceState,
  LxdInstancesPost,
  LxdNetwork,
  LxdNetworkAcl,
  LxdOperation,
  LxdProfile,
  LxdProject,
  LxdServer,
  LxdStoragePool,
  LxdStorageVolume,
} from './types.js';

export { LxdApiError, isNotFound, isProjectMissing };

export interface LxdClientOptions {
  /** LXD project every request is scoped to; "default" (or none) adds nothing. */
  project?: string;
  /** Unix socket; otherwise LXD_SOCKET, $LXD_DIR/unix.socket, then the Debian and snap paths. */
  socketPath?: string;
  /** Another way to reach LXD (tests, HTTPS later); wins over socketPath. */
  transport?: Transport;
  /** Seconds each long-poll of an operation may last before it is renewed. */
  operationPollSeconds?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as If-Match: LXD answers 412 when the object changed since it was read. */
  etag?: string;
  query?: Query;
  headers?: Record<string, string>;
  /** A streamed body (uploads) instead of `body`. */
  stream?: { data: Readable; length: number; contentType: string };
}

/** An object read from LXD with the ETag to send back when writing it. */
export interface Versioned<T> {
  value: T;
  etag?: string;
}

export interface LxdResponse<T> extends Versioned<T> {
  /** HTTP status of the request itself (200, or 202 for background operations). */
  status: number;
  /** The finished operation, for requests LXD ran in the background. */
  operation?: LxdOperation;
}

/** Counters shared by a client and every client derived from it with withProject(). */
export interface LxdClientStats {
  /** HTTP requests sent, operation polls included: what a plan or apply costs. */
  requests: number;
}

interface Envelope {
  type: 'sync' | 'async' | 'error';
  status_code?: number;
  error_code?: number;
  error?: string;
  metadata?: unknown;
  operation?: string;
}

const USER_AGENT = 'lxplan/0.1';

export class LxdClient {
  readonly project: string;
  readonly stats: LxdClientStats;
  private readonly transport: Transport;
  private readonly pollSeconds: number;

  /** `shared` is withProject()'s way to hand over connections and counters; callers leave it out. */
  constructor(opts: LxdClientOptions = {}, shared?: { transport: Transport; stats: LxdClientStats }) {
    this.project = opts.project || 'default';
    this.transport = shared?.transport ?? opts.transport ?? new UnixTransport(resolveSocketPath(opts.socketPath));
    this.stats = shared?.stats ?? { requests: 0 };
    this.pollSeconds = opts.operationPollSeconds ?? 30;
  }

  /** The daemon's address (socket path), for messages. */
  get endpoint(): string {
    return this.transport.endpoint;
  }

  /** A client for another project over the same connections and counters. */
  withProject(name: string): LxdClient {
    return new LxdClient({ project: name, operationPollSeconds: this.pollSeconds }, { transport: this.transport, stats: this.stats });
  }

  /** Closes the shared connections: every client from withProject() stops working too. */
  close(): void {
    this.transport.close();
  }

  /**
   * One REST call: adds the project, sends, unwraps LXD's envelope, and for a background
   * operation waits until it ends (its metadata becomes `value`). Public so more object
   * kinds (networks, storage) can be added without touching the transport.
   */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<LxdResponse<T>> {
    const res = await this.send(method, path, opts);
    if (res.envelope.type !== 'async') {
      return { value: res.envelope.metadata as T, etag: res.etag, status: res.status };
    }
    const url = res.envelope.operation || (res.envelope.metadata as { id?: string } | undefined)?.id;
    if (!url)
      throw new LxdApiError({
        daemon: this.word,
        status: res.status,
        lxdError: 'LXD started a background operation without naming it',
        method,
        path: res.path,
        project: this.projectFor(res.path),
      });
    const opUrl = url.startsWith('/') ? url : `/1.0/operations/${url}`;
    const op = await waitOperation((p, query) => this.pollOperation(p, query, opUrl), opUrl, this.pollSeconds);
    if (op.status_code !== OP_SUCCESS) {
      throw new LxdApiError({
        daemon: this.word,
        status: op.status_code,
        lxdError: op.err || op.status,
        method,
        path: res.path,
        operation: opUrl,
        project: this.projectFor(res.path),
      });
    }
    return { value: (op.metadata ?? undefined) as T, etag: res.etag, status: res.status, operation: op };
  }

  // --- server ---

  /** GET /1.0 with its ETag (the server config is written back with it). */
  async getServer(): Promise<Versioned<LxdServer>> {
    const got = await this.get<LxdServer>('/1.0');
    rememberServer(this.transport, got.value);
    return got;
  }

  /** PATCH /1.0: changes only the keys given ("" unsets a key); LXD 5.0.2 honours If-Match here (412 when changed). */
  async patchServerConfig(config: Record<string, string>, etag?: string): Promise<void> {
    await this.request('PATCH', '/1.0', { body: { config }, etag });
  }

  /** The daemon's word for messages, once GET /1.0 was read on this connection (server.ts); undefined before. */
  private get word(): string | undefined {
    return rememberedServer(this.transport)?.word;
  }

  async server(): Promise<LxdServer> {
    const s = (await this.request<LxdServer>('GET', '/1.0')).value;
    rememberServer(this.transport, s);
    return s;
  }

  // --- instances ---

  /** All instances of the project, config and devices included, in one request. */
  async listInstances(): Promise<LxdInstance[]> {
    return (await this.request<LxdInstance[]>('GET', '/1.0/instances', { query: { recursion: 1 } })).value ?? [];
  }

  getInstance(name: string): Promise<Versioned<LxdInstance>> {
    return this.get<LxdInstance>(`/1.0/instances/${seg(name)}`);
  }

  /**
   * Creates the instance and, with `start: true`, starts it. LXD 5.0 lacks the
   * instance_create_start extension and silently ignores `start`, so starting is always a
   * second call: the same result on every LXD, and a failed start leaves the instance there.
   */
  async createInstance(post: LxdInstancesPost): Promise<void> {
    const { start, ...rest } = post;
    await this.request('POST', '/1.0/instances', { body: rest });
    if (start) await this.setInstanceState(post.name, { action: 'start' });
  }

  /** Replaces the writable fields. LXD 5.0 runs this as an operation; either way it is done on return. */
  async updateInstance(name: string, put: LxdInstancePut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/instances/${seg(name)}`, { body: put, etag });
  }

  /** POST /1.0/instances/{name} with a new name (LXD renames stopped instances only). */
  async renameInstance(name: string, newName: string): Promise<void> {
    await this.request('POST', `/1.0/instances/${seg(name)}`, { body: { name: newName } });
  }

  async deleteInstance(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/instances/${seg(name)}`);
  }

  // --- instance snapshots ---

  /** The snapshots of one instance, in one request (5.0.2's /1.0/instances?recursion=1 leaves them out). */
  async listSnapshots(instance: string): Promise<LxdInstanceSnapshot[]> {
    const res = await this.request<LxdInstanceSnapshot[]>('GET', `/1.0/instances/${seg(instance)}/snapshots`, { query: { recursion: 1 } });
    return (res.value ?? []).map((s) => ({ ...s, instance }));
  }

  async getSnapshot(instance: string, name: string): Promise<Versioned<LxdInstanceSnapshot>> {
    const { value, etag } = await this.get<LxdInstanceSnapshot>(`/1.0/instances/${seg(instance)}/snapshots/${seg(name)}`);
    return { value: { ...value, instance }, etag };
  }

  /** POST /1.0/instances/{name}/snapshots (an operation: done on return). */
  async createSnapshot(instance: string, name: string, stateful = false): Promise<void> {
    await this.request('POST', `/1.0/instances/${seg(instance)}/snapshots`, { body: { name, stateful } });
  }

  async deleteSnapshot(instance: string, name: string): Promise<void> {
    await this.request('DELETE', `/1.0/instances/${seg(instance)}/snapshots/${seg(name)}`);
  }

  /** PUT /1.0/instances/{name} with {restore}: the instance goes back to the snapshot (config and disk). */
  async restoreSnapshot(instance: string, name: string, stateful = false): Promise<void> {
    await this.request('PUT', `/1.0/instances/${seg(instance)}`, { body: { restore: name, stateful } });
  }

  async getInstanceState(name: string): Promise<LxdInstanceState> {
    return (await this.request<LxdInstanceState>('GET', `/1.0/instances/${seg(name)}/state`)).value;
  }

  async setInstanceState(name: string, put: LxdInstanceStatePut): Promise<void> {
    await this.request('PUT', `/1.0/instances/${seg(name)}/state`, {
      body: { action: put.action, timeout: put.timeout ?? -1, force: put.force ?? false, stateful: put.stateful ?? false },
    });
  }

  // --- instance files ---

  /**
   * POST /1.0/instances/{name}/files?path=...: writes one file (overwriting it), with its owner
   * and mode in X-LXD-* headers (X-Incus-* on Incus: ./server.ts). Works on running and stopped containers alike. LXD 5.0.2 applies
   * the owner and mode only to a new file: an existing one keeps its own (deleteFile first).
   */
  async pushFile(instance: string, path: string, content: Buffer, meta: { uid: number; gid: number; mode: string }): Promise<void> {
    const x = (await this.daemon()).headerPrefix;
    await this.request('POST', `/1.0/instances/${seg(instance)}/files`, {
      query: { path },
      headers: { [`${x}uid`]: String(meta.uid), [`${x}gid`]: String(meta.gid), [`${x}mode`]: meta.mode, [`${x}type`]: 'file', [`${x}write`]: 'overwrite' },
      stream: { data: Readable.from([content]), length: content.length, contentType: 'application/octet-stream' },
    });
  }

  /** POST /1.0/instances/{name}/files?path=... with X-LXD-type (X-Incus-type): directory: makes one folder (its parent must exist). */
  async createDirectory(instance: string, path: string, meta: { uid: number; gid: number; mode: string }): Promise<void> {
    const x = (await this.daemon()).headerPrefix;
    await this.request('POST', `/1.0/instances/${seg(instance)}/files`, {
      query: { path },
      headers: { [`${x}uid`]: String(meta.uid), [`${x}gid`]: String(meta.gid), [`${x}mode`]: meta.mode, [`${x}type`]: 'directory' },
    });
  }

  /** DELETE /1.0/instances/{name}/files?path=... (the file_delete extension). */
  async deleteFile(instance: string, path: string): Promise<void> {
    await this.request('DELETE', `/1.0/instances/${seg(instance)}/files`, { query: { path } });
  }

  /** GET /1.0/instances/{name}/files?path=...: a file's bytes (LXD answers with the raw file, not JSON), type ("file", "directory", "symlink"), owner and mode. */
  async pullFile(instance: string, path: string): Promise<{ content: Buffer; type: string; uid: number; gid: number; mode: string }> {
    const url = new URL(`/1.0/instances/${seg(instance)}/files`, 'http://lxd');
    url.searchParams.set('path', path);
    if (this.project !== 'default') url.searchParams.set('project', this.project);
    this.stats.requests++;
    const res = await this.transport.send({ method: 'GET', path: url.pathname + url.search, headers: { 'user-agent': USER_AGENT } });
    if (res.status >= 400) {
      let lxdError = res.body.toString('utf8');
      try {
        lxdError = (JSON.parse(lxdError) as Envelope).error ?? lxdError;
      } catch {
        /* not JSON: keep the text */
      }
      throw new LxdApiError({ daemon: this.word, status: res.status, lxdError, method: 'GET', path: url.pathname, project: this.projectFor(url.pathname) });
    }
    // LXD answers with X-LXD-Type, X-LXD-Uid, ...; Incus with X-Incus-*: whichever the daemon sent.
    const h = (k: string) => String(res.headers[`x-lxd-${k}`] ?? res.headers[`x-incus-${k}`] ?? '');
    return { content: res.body, type: h('type'), uid: Number(h('uid')), gid: Number(h('gid')), mode: h('mode') };
  }

  // --- profiles ---

  async listProfiles(): Promise<LxdProfile[]> {
    return (await this.request<LxdProfile[]>('GET', '/1.0/profiles', { query: { recursion: 1 } })).value ?? [];
  }

  getProfile(name: string): Promise<Versioned<LxdProfile>> {
    return this.get<LxdProfile>(`/1.0/profiles/${seg(name)}`);
  }

  async createProfile(post: LxdProfilesPost): Promise<void> {
    await this.request('POST', '/1.0/profiles', { body: { description: '', config: {}, devices: {}, ...post } });
  }

  async updateProfile(name: string, put: LxdProfilePut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/profiles/${seg(name)}`, { body: put, etag });
  }

  async deleteProfile(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/profiles/${seg(name)}`);
  }

  // --- images ---

  /** All images of the project with their aliases, in one request. */
  async listImages(): Promise<LxdImage[]> {
    return (await this.request<LxdImage[]>('GET', '/1.0/images', { query: { recursion: 1 } })).value ?? [];
  }

  getImage(fingerprint: string): Promise<Versioned<LxdImage>> {
    return this.get<LxdImage>(`/1.0/images/${seg(fingerprint)}`);
  }

  async updateImage(fingerprint: string, put: LxdImagePut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/images/${seg(fingerprint)}`, { body: put, etag });
  }

  async deleteImage(fingerprint: string): Promise<void> {
    await this.request('DELETE', `/1.0/images/${seg(fingerprint)}`);
  }

  /**
   * Uploads a split image (metadata tarball + rootfs tarball) and returns the fingerprint
   * LXD gave it. Uploading bytes LXD already has fails with "Image with same fingerprint
   * already exists": check with getImage(fingerprintOfSplitImage(...)) first.
   */
  async uploadSplitImage(u: SplitImageUpload): Promise<string> {
    const body = await multipartFiles(
      [
        { field: 'metadata', path: u.metadataPath },
        { field: 'rootfs', path: u.rootfsPath },
      ],
      u.onProgress,
    );
    const headers: Record<string, string> = {};
    const x = (await this.daemon()).headerPrefix;
    if (u.public) headers[`${x}public`] = 'true';
    if (u.properties && Object.keys(u.properties).length > 0) headers[`${x}properties`] = new URLSearchParams(u.properties).toString();
    const res = await this.request<{ fingerprint?: string }>('POST', '/1.0/images', {
      headers,
      stream: { data: body.stream, length: body.length, contentType: body.contentType },
    });
    const fp = res.value?.fingerprint;
    if (!fp)
      throw new LxdApiError({
        daemon: this.word,
        status: res.status,
        lxdError: 'the image upload finished without a fingerprint',
        method: 'POST',
        path: '/1.0/images',
        project: this.project,
      });
    return fp;
  }

  /**
   * Publishes an image from an instance ("base") or a snapshot ("base/clean") and returns its
   * fingerprint. LXD 5.0 refuses a running container ("Cannot export a running instance as an
   * image"); a snapshot of one is fine.
   */
  async publishImage(source: { type: 'instance' | 'snapshot'; name: string }, opts: { public: boolean }): Promise<string> {
    const res = await this.request<{ fingerprint?: string }>('POST', '/1.0/images', { body: { source, public: opts.public } });
    const fp = res.value?.fingerprint;
    if (!fp)
      throw new LxdApiError({
        daemon: this.word,
        status: res.status,
        lxdError: 'publishing finished without a fingerprint',
        method: 'POST',
        path: '/1.0/images',
        project: this.project,
      });
    return fp;
  }

  async listImageAliases(): Promise<LxdImageAliasEntry[]> {
    return (await this.request<LxdImageAliasEntry[]>('GET', '/1.0/images/aliases', { query: { recursion: 1 } })).value ?? [];
  }

  getImageAlias(name: string): Promise<Versioned<LxdImageAliasEntry>> {
    return this.get<LxdImageAliasEntry>(`/1.0/images/aliases/${seg(name)}`);
  }

  async createImageAlias(name: string, fingerprint: string, description = ''): Promise<void> {
    await this.request('POST', '/1.0/images/aliases', { body: { name, target: fingerprint, description } });
  }

  /** Points an alias at another image. PUT replaces the description too (to `description`). */
  async updateImageAlias(name: string, target: string, etag?: string, description = ''): Promise<void> {
    await this.request('PUT', `/1.0/images/aliases/${seg(name)}`, { body: { target, description }, etag });
  }

  async deleteImageAlias(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/images/aliases/${seg(name)}`);
  }

  // --- networks (the project's own when it has features.networks, else the default project's) ---

  /** Every network LXD reports, host interfaces (managed: false) included, in one request. */
  async listNetworks(): Promise<LxdNetwork[]> {
    return (await this.request<LxdNetwork[]>('GET', '/1.0/networks', { query: { recursion: 1 } })).value ?? [];
  }

  getNetwork(name: string): Promise<Versioned<LxdNetwork>> {
    return this.get<LxdNetwork>(`/1.0/networks/${seg(name)}`);
  }

  async createNetwork(post: LxdNetworksPost): Promise<void> {
    await this.request('POST', '/1.0/networks', { body: { description: '', config: {}, ...post } });
  }

  async updateNetwork(name: string, put: LxdNetworkPut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/networks/${seg(name)}`, { body: put, etag });
  }

  async deleteNetwork(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/networks/${seg(name)}`);
  }

  // --- network ACLs (where the project's networks are: its own with features.networks, else the default project's) ---

  async listNetworkAcls(): Promise<LxdNetworkAcl[]> {
    return (await this.request<LxdNetworkAcl[]>('GET', '/1.0/network-acls', { query: { recursion: 1 } })).value ?? [];
  }

  getNetworkAcl(name: string): Promise<Versioned<LxdNetworkAcl>> {
    return this.get<LxdNetworkAcl>(`/1.0/network-acls/${seg(name)}`);
  }

  async createNetworkAcl(post: LxdNetworkAclsPost): Promise<void> {
    await this.request('POST', '/1.0/network-acls', { body: { description: '', ingress: [], egress: [], config: {}, ...post } });
  }

  /** PUT replaces everything writable; applied to the firewall of every network and NIC using the ACL at once. (5.0.2's PATCH drops the rules it is not given: not used.) */
  async updateNetworkAcl(name: string, put: LxdNetworkAclPut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/network-acls/${seg(name)}`, { body: put, etag });
  }

  /** POST /1.0/network-acls/{name} with a new name; LXD refuses it while the ACL is in use ("Cannot rename an ACL that is in use"). */
  async renameNetworkAcl(name: string, newName: string): Promise<void> {
    await this.request('POST', `/1.0/network-acls/${seg(name)}`, { body: { name: newName } });
  }

  /** LXD refuses it while the ACL is in use ("Cannot delete an ACL that is in use"). */
  async deleteNetworkAcl(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/network-acls/${seg(name)}`);
  }

  // --- storage pools (global: every project sees the same pools) ---

  async listStoragePools(): Promise<LxdStoragePool[]> {
    return (await this.request<LxdStoragePool[]>('GET', '/1.0/storage-pools', { query: { recursion: 1 } })).value ?? [];
  }

  getStoragePool(name: string): Promise<Versioned<LxdStoragePool>> {
    return this.get<LxdStoragePool>(`/1.0/storage-pools/${seg(name)}`);
  }

  async createStoragePool(post: LxdStoragePoolsPost): Promise<void> {
    await this.request('POST', '/1.0/storage-pools', { body: { description: '', config: {}, ...post } });
  }

  async updateStoragePool(name: string, put: LxdStoragePoolPut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/storage-pools/${seg(name)}`, { body: put, etag });
  }

  async deleteStoragePool(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/storage-pools/${seg(name)}`);
  }

  // --- custom storage volumes (the project's own when it has features.storage.volumes, else the default project's) ---

  /** The custom volumes of one pool, in one request; `pool` is filled in (LXD 5.0 leaves it out). */
  async listCustomVolumes(pool: string): Promise<LxdStorageVolume[]> {
    const res = await this.request<LxdStorageVolume[]>('GET', `/1.0/storage-pools/${seg(pool)}/volumes/custom`, { query: { recursion: 1 } });
    return (res.value ?? []).map((v) => ({ ...v, pool }));
  }

  async getCustomVolume(pool: string, name: string): Promise<Versioned<LxdStorageVolume>> {
    const { value, etag } = await this.get<LxdStorageVolume>(`/1.0/storage-pools/${seg(pool)}/volumes/custom/${seg(name)}`);
    return { value: { ...value, pool }, etag };
  }

  async createCustomVolume(pool: string, post: LxdStorageVolumesPost): Promise<void> {
    await this.request('POST', `/1.0/storage-pools/${seg(pool)}/volumes/custom`, { body: { description: '', config: {}, ...post } });
  }

  async updateCustomVolume(pool: string, name: string, put: LxdStorageVolumePut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/storage-pools/${seg(pool)}/volumes/custom/${seg(name)}`, { body: put, etag });
  }

  async deleteCustomVolume(pool: string, name: string): Promise<void> {
    await this.request('DELETE', `/1.0/storage-pools/${seg(pool)}/volumes/custom/${seg(name)}`);
  }

  // --- projects (not scoped: a project is not inside a project) ---

  /** The operations LXD is running in this project (GET /1.0/operations?recursion=1, running only). */
  async runningOperations(): Promise<LxdOperation[]> {
    const v = (await this.request<Record<string, LxdOperation[] | undefined>>('GET', '/1.0/operations', { query: { recursion: 1 } })).value ?? {};
    return v.running ?? [];
  }

  /** Waits until operation `id` ends, however it ends (the caller re-reads what it was doing). */
  async waitForOperation(id: string, timeoutS = 60): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const left = Math.max(1, Math.round((deadline - Date.now()) / 1000));
      try {
        const op = (await this.request<LxdOperation>('GET', `/1.0/operations/${seg(id)}/wait`, { query: { timeout: Math.min(left, this.pollSeconds) } })).value;
        if (op.status_code >= 200 || Date.now() > deadline) return;
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
  }

  async listProjects(): Promise<LxdProject[]> {
    return (await this.request<LxdProject[]>('GET', '/1.0/projects', { query: { recursion: 1 } })).value ?? [];
  }

  getProject(name: string): Promise<Versioned<LxdProject>> {
    return this.get<LxdProject>(`/1.0/projects/${seg(name)}`);
  }

  async createProject(post: LxdProjectsPost): Promise<void> {
    await this.request('POST', '/1.0/projects', { body: { description: '', config: {}, ...post } });
  }

  async updateProject(name: string, put: LxdProjectPut, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/projects/${seg(name)}`, { body: put, etag });
  }

  async deleteProject(name: string): Promise<void> {
    await this.request('DELETE', `/1.0/projects/${seg(name)}`);
  }

  // --- plumbing ---

  private async get<T>(path: string): Promise<Versioned<T>> {
    const { value, etag } = await this.request<T>('GET', path);
    return { value, etag };
  }

  /** The project a path is scoped to, for messages. */
  private projectFor(path: string): string | undefined {
    return path.startsWith('/1.0/projects') || path.startsWith('/1.0/operations') || path === '/1.0' ? undefined : this.project;
  }

  /** Sends one request and returns LXD's envelope; throws on errors (HTTP or envelope). */
  private async send(method: string, path: string, opts: RequestOptions): Promise<{ envelope: Envelope; etag?: string; status: number; path: string }> {
    const url = new URL(path, 'http://lxd');
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    if (this.project !== 'default' && !url.searchParams.has('project')) url.searchParams.set('project', this.project);

    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...opts.headers };
    if (opts.etag) headers['if-match'] = opts.etag;
    const req: TransportRequest = { method, path: url.pathname + url.search, headers };
    if (opts.stream) {
      headers['content-type'] = opts.stream.contentType;
      headers['content-length'] = String(opts.stream.length);
      req.body = opts.stream.data;
    } else if (opts.body !== undefined) {
      req.body = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(req.body.length);
    }

    this.stats.requests++;
    const res = await this.transport.send(req);
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
    let envelope: Envelope | undefined;
    try {
      envelope = JSON.parse(res.body.toString('utf8')) as Envelope;
    } catch {
      envelope = undefined;
    }
    const bare = url.pathname;
    const project = this.projectFor(bare);
    if (!envelope || typeof envelope !== 'object') {
      const text = res.body.toString('utf8').trim().slice(0, 200);
      throw new LxdApiError({
        daemon: this.word,
        status: res.status,
        lxdError: text ? `unexpected answer: ${text}` : 'empty answer',
        method,
        path: bare,
        project,
      });
    }
    if (envelope.type === 'error' || res.status >= 400) {
      throw new LxdApiError({
        daemon: this.word,
        status: res.status >= 400 ? res.status : envelope.error_code || res.status,
        lxdError: envelope.error ?? '',
        method,
        path: bare,
        project,
      });
    }
    return { envelope, etag, status: res.status, path: bare };
  }

  // --- clusters: members, placement (?target=) and moves between members (the cluster feature) ---

  /** The cluster's members with their groups, in one request (GET /1.0/cluster/members?recursion=1). Not project-scoped. */
  async listClusterMembers(): Promise<LxdClusterMember[]> {
    return (await this.request<LxdClusterMember[]>('GET', '/1.0/cluster/members', { query: { recursion: 1 } })).value ?? [];
  }

  /** The members of one cluster group (GET /1.0/cluster/groups/{name}). */
  async clusterGroupMembers(group: string): Promise<string[]> {
    return (await this.request<{ members?: string[] }>('GET', `/1.0/cluster/groups/${seg(group)}`)).value?.members ?? [];
  }

  /** POST /1.0/instances?target=: created on a member (a name) or in a group ("@name"); never started here (see createInstance). */
  async createInstanceOn(post: LxdInstancesPost, target: string): Promise<void> {
    const { start: _start, ...rest } = post;
    await this.request('POST', '/1.0/instances', { body: rest, query: { target } });
  }

  /** Moves a stopped instance to another member (POST /1.0/instances/{name}?target= with migration): its data and name go with it. */
  async moveInstanceTo(name: string, target: string): Promise<void> {
    await this.request('POST', `/1.0/instances/${seg(name)}`, { body: { name, migration: true, live: false }, query: { target } });
  }

  /** A storage pool as member `target` has it: its member-specific keys (source, size, ...) included. */
  async getStoragePoolOn(name: string, target: string): Promise<Versioned<LxdMemberConfig>> {
    const { value, etag } = await this.request<LxdMemberConfig>('GET', `/1.0/storage-pools/${seg(name)}`, { query: { target } });
    return { value, etag };
  }

  /** POST /1.0/storage-pools?target=M: the pool pending on that member, with its member-specific keys; a POST without target then creates it everywhere. */
  async createStoragePoolOn(post: { name: string; driver: string; config: Record<string, string> }, target: string): Promise<void> {
    await this.request('POST', '/1.0/storage-pools', { body: post, query: { target } });
  }

  /** PUT /1.0/storage-pools/{name}?target=M: member-specific keys only (LXD refuses the others there). */
  async updateStoragePoolOn(name: string, config: Record<string, string>, target: string, etag?: string): Promise<void> {
    await this.request('PUT', `/1.0/storage-pools/${seg(name)}`, { body: { config }, query: { target }, etag });
  }

  // --- daemon (issue 14: Incus beside LXD) ---

  /** Which daemon this connection talks to (LXD or Incus, its extensions, its header prefix): GET /1.0 once per connection, shared with withProject()'s clients. */
  async daemon(): Promise<ServerInfo> {
    return rememberedServer(this.transport) ?? rememberServer(this.transport, (await this.request<LxdServer>('GET', '/1.0')).value);
  }

  /** The daemon, when this connection has read GET /1.0 already (a plan always has); undefined otherwise. No request. */
  knownDaemon(): ServerInfo | undefined {
    return rememberedServer(this.transport);
  }

  // --- commands run in instances (issue 15: execs: and wait_for: on an instance) ---

  /**
   * POST /1.0/instances/{name}/exec without websockets (`wait-for-websocket: false,
   * interactive: false, record-output: true`): LXD runs the command with stdin from /dev/null and
   * writes its output to log files. Returns the operation's path at once, without waiting: the
   * caller bounds the wait (waitOperationUpTo) and stops the command itself when it takes too long
   * (LXD's exec operation cannot be cancelled).
   */
  async startExec(instance: string, body: LxdExecPost): Promise<string> {
    const res = await this.send('POST', `/1.0/instances/${seg(instance)}/exec`, {
      body: { ...body, 'wait-for-websocket': false, interactive: false, 'record-output': body['record-output'] ?? true },
    });
    const url = res.envelope.operation || (res.envelope.metadata as { id?: string } | undefined)?.id;
    if (!url)
      throw new LxdApiError({
        daemon: this.word,
        status: res.status,
        lxdError: 'LXD started the command without naming its operation',
        method: 'POST',
        path: res.path,
      });
    return operationPath(url.startsWith('/') ? url : `/1.0/operations/${url}`);
  }

  /** The operation at `opPath` once it ends, or as it is when `seconds` have passed (still running). */
  async waitOperationUpTo(opPath: string, seconds: number): Promise<LxdOperation> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      // pollOperation: Incus answers a /wait that times out with an error ("context deadline exceeded"), LXD with the running operation.
      const op = await this.pollOperation(`${opPath}/wait`, { timeout: String(Math.min(Math.max(left, 1), this.pollSeconds)) }, opPath);
      if (op.status_code >= 200 || Date.now() >= deadline) return op;
    }
  }

  /** GET a log file an exec recorded (`/1.0/instances/{name}/logs/exec_...`, as the operation names it): raw bytes. */
  async getExecLog(logPath: string): Promise<Buffer> {
    const url = new URL(logPath, 'http://lxd');
    if (this.project !== 'default' && !url.searchParams.has('project')) url.searchParams.set('project', this.project);
    this.stats.requests++;
    const res = await this.transport.send({ method: 'GET', path: url.pathname + url.search, headers: { 'user-agent': USER_AGENT } });
    if (res.status >= 400)
      throw new LxdApiError({ daemon: this.word, status: res.status, lxdError: res.body.toString('utf8').slice(0, 200), method: 'GET', path: url.pathname });
    return res.body;
  }

  /** DELETE an exec's log file (LXD keeps them until the instance is deleted otherwise). */
  async deleteExecLog(logPath: string): Promise<void> {
    await this.request('DELETE', new URL(logPath, 'http://lxd').pathname);
  }

  /** GET /1.0/instances/{name}/state: its live state, with the addresses of its NICs. */
  async getInstanceNetworkState(name: string): Promise<LxdInstanceNetworkState> {
    return (await this.request<LxdInstanceNetworkState>('GET', `/1.0/instances/${seg(name)}/state`)).value;
  }

  // --- operations on Incus (issue 14, the Incus pass) ---

  /**
   * One poll of an operation's /wait. LXD 5.0.2 answers it with the operation, a failed one
   * with status Failure and its `err`; Incus 6.0.4 answers a failed operation's /wait with an
   * error envelope carrying that `err` (error_code 500), as if the poll itself had failed. Then
   * the operation itself (GET without /wait) says how it ended, on both daemons.
   */
  private async pollOperation(path: string, query: Record<string, string>, opUrl: string): Promise<LxdOperation> {
    try {
      return (await this.send('GET', path, { query })).envelope.metadata as LxdOperation;
    } catch (e) {
      if (!(e instanceof LxdApiError) || isNotFound(e)) throw e;
      const op = await this.send('GET', operationPath(opUrl), {}).then(
        (r) => r.envelope.metadata as LxdOperation | undefined,
        () => undefined,
      );
      if (!op || typeof op.status_code !== 'number') throw e;
      return op;
    }
  }
}

/** One path segment: names may hold characters that mean something in a URL. */
function seg(name: string): string {
  return encodeURIComponent(name);
}

// --- commands run in instances (issue 15): the exec request and the state's addresses ---

/** POST /1.0/instances/{name}/exec (rest-api.yaml InstanceExecPost), as startExec sends it. */
export interface LxdExecPost {
  command: string[];
  environment?: Record<string, string>;
  cwd?: string;
  user?: number;
  group?: number;
  'record-output'?: boolean;
}

/** GET /1.0/instances/{name}/state: what wait_for reads (rest-api.yaml InstanceState). */
export interface LxdInstanceNetworkState {
  status: string;
  network?: Record<string, { addresses?: Array<{ family: string; address: string; netmask?: string; scope: string }>; state?: string }> | null;
}
