/** The public face of the LXD client: everything outside src/lxd imports from here or client.ts. */
export { LxdClient } from './client.js';
export type { LxdClientOptions, LxdClientStats, LxdResponse, Query, RequestOptions, Versioned } from './client.js';
export { LxdApiError, isLxdApiError, isNotFound, isPreconditionFailed, isProjectMissing } from './errors.js';
export type * from './requests.js';
export { DEBIAN_SOCKET, SNAP_SOCKET, resolveSocketPath } from './socket.js';
export { UnixTransport } from './transport.js';
export type { Transport, TransportRequest, TransportResponse } from './transport.js';
export type * from './types.js';
