/** How the server config is read from LXD: GET /1.0; global. */
import type { LiveKind } from '../live-kind.js';

export const serverLive: LiveKind = {
  where: 'global',
  read: async (r) => ({ server: await r.client.server() }),
  none: () => ({}),
};
