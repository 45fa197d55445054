/** lxplan --refresh-only: record what LXD has into the state, without touching LXD. */
import { refreshState, type Refresh } from '../planner/index.js';
import { readLiveIn } from '../resources/live-project.js';
import { instancesWithSnapshots } from '../resources/snapshot/spec.js';
import { resolveRemoteFingerprints } from '../resources/image/source.js';
import { connectScoped, loadChecked, type ConnectOptions } from './session.js';
import { oneDaemonOf } from './daemon-scope.js';

export async function refreshOnly(manifestPath: string, opts: ConnectOptions): Promise<Refresh & { recorded: number }> {
  const manifest = await loadChecked(manifestPath, opts.remote);
  oneDaemonOf(manifest, 'lxplan --refresh-only');
  await resolveRemoteFingerprints(manifest);
  const { state, client, close } = await connectScoped(manifestPath, manifest, 'refresh', opts);
  try {
    const live = await readLiveIn(client, manifest, instancesWithSnapshots(manifest, state.state), state.state);
    const r = refreshState({ manifest, live, state: state.state });
    if (JSON.stringify(r.state.resources) !== JSON.stringify(state.state.resources)) await state.save(r.state);
    return { ...r, recorded: Object.keys(r.state.resources).length };
  } finally {
    await close();
  }
}
