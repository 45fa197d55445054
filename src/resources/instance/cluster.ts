/**
 * `target:` of an instance on an LXD cluster: the member it runs on (`m1`) or a cluster group
 * (`@fast`: any member of it).
 *
 * What LXD does (5.0.2, observed on a two-member cluster on loopback, scripts/cluster-up.sh):
 *  - every instance in GET /1.0/instances?recursion=1 carries its `location` (the member's name),
 *    so reading where instances are costs no request more than on one host; the members and their
 *    groups are one more request, GET /1.0/cluster/members?recursion=1, made only when GET /1.0
 *    says `environment.server_clustered`;
 *  - POST /1.0/instances?target=M (or ?target=@group) creates the instance there;
 *  - POST /1.0/instances/NAME?target=M with `migration: true` moves it, keeping its name, config,
 *    volatile keys and root disk; a running instance is moved live only with CRIU, which cannot
 *    initialise on these kernels: lxplan moves instances stopped (stop, move, start).
 * An instance already on a member of its target group does not move.
 */
import { LxplanError } from '../../errors.js';
import type { LxdClient } from '../../lxd/client.js';
import type { LxdClusterEnvironment, LxdClusterMember, LxdInstance, LxdServer } from '../../lxd/types.js';
import type { ResourceChange } from '../../planner/plan.js';
import { field } from '../fields.js';
import type { FieldImpact, FieldValue, LiveSnapshot, PlanContext } from '../spec.js';
import type { DesiredInstance, Manifest } from '../types.js';

/** What the plan says about every move of a running instance. */
export const MOVE_NOTE = 'live migration is not available on this kernel (CRIU): stop, move, start';
/** ... and of a stopped one. */
export const MOVE_STOPPED_NOTE = 'stopped: moved as it is';

/** The cluster a daemon belongs to, as one plan sees it: each member's groups. */
export interface LiveCluster {
  /** Member name -> the cluster groups it is in. */
  members: Record<string, string[]>;
}

/** Whether GET /1.0 says the daemon is a cluster member. */
export function isClustered(server: LxdServer | undefined): boolean {
  const env: LxdClusterEnvironment | undefined = server?.environment;
  return env?.server_clustered === true;
}

/** The members and their groups (one request), when the daemon is clustered; undefined otherwise. */
export async function readCluster(client: LxdClient, server: LxdServer | undefined): Promise<LiveCluster | undefined> {
  if (!isClustered(server)) return undefined;
  return clusterOf(await client.listClusterMembers());
}

export function clusterOf(members: LxdClusterMember[]): LiveCluster {
  return { members: Object.fromEntries(members.map((m) => [m.server_name, m.groups ?? []])) };
}

/** The group a target names ("@fast" -> "fast"), or undefined for a member name. */
export function groupOf(target: string): string | undefined {
  return target.startsWith('@') ? target.slice(1) : undefined;
}

/** Whether an instance on member `location` is where `target` asks (that member, or a member of that group). */
export function onTarget(location: string | undefined, target: string, cluster: LiveCluster | undefined): boolean {
  if (location === undefined) return false;
  const group = groupOf(target);
  return group === undefined ? location === target : (cluster?.members[location] ?? []).includes(group);
}

/**
 * The live `target` field: the declared target when the instance is there already (a member of
 * its group: so drift, which compares with the recorded target, sees none), else where it is.
 */
export function liveTargetField(l: LxdInstance, target: string, ctx: PlanContext): FieldValue {
  return field(onTarget(l.location, target, ctx.live.cluster) ? target : (l.location ?? '(none)'));
}

/** How a move reaches the instance: a running one is stopped, moved and started again. */
export function targetImpact(status: string): FieldImpact {
  return status === 'stopped' ? { impact: 'live', note: MOVE_STOPPED_NOTE } : { impact: 'restart', note: MOVE_NOTE };
}

function known(cluster: LiveCluster): { members: string[]; groups: string[] } {
  const members = Object.keys(cluster.members).sort();
  const groups = [...new Set(Object.values(cluster.members).flat())].sort();
  return { members, groups };
}

/**
 * `target:` needs a cluster and a member or group it has; moving a running ephemeral instance
 * would destroy it (LXD deletes it when it stops). Each error names the key's place.
 */
export function checkTargets(m: Manifest, live: LiveSnapshot): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const d of Object.values<DesiredInstance>(m.instances)) {
    if (d.target === undefined) continue;
    const location = d.keyAt?.target ?? d.at;
    const cluster = live.cluster;
    if (!cluster) {
      errors.push(
        new LxplanError('plan.conflict', `instance "${d.name}" has target: ${d.target}, but the daemon is not clustered: there is no member to place it on`, {
          location,
          hint: 'remove target: for a daemon that is not a cluster member, or point lxplan at the cluster (--remote, --socket)',
        }),
      );
      continue;
    }
    const { members, groups } = known(cluster);
    const group = groupOf(d.target);
    if (group !== undefined ? !groups.includes(group) : !members.includes(d.target)) {
      errors.push(
        new LxplanError(
          'plan.conflict',
          `instance "${d.name}": target: ${d.target} is not a ${group !== undefined ? 'cluster group' : 'cluster member'} of this cluster (members: ${members.join(', ')}; groups: ${groups.map((g) => `@${g}`).join(', ') || 'none'})`,
          { location, hint: 'name a member as LXD lists it (lxc cluster list), or a group as @NAME (lxc cluster group list)' },
        ),
      );
      continue;
    }
    const l = live.instances[d.name];
    if (l && l.ephemeral && l.status.toLowerCase() !== 'stopped' && !onTarget(l.location, d.target, cluster)) {
      errors.push(
        new LxplanError(
          'plan.conflict',
          `instance "${d.name}" is ephemeral and ${l.status.toLowerCase()} on ${l.location}: moving it to ${d.target} stops it, and LXD deletes an ephemeral instance when it stops`,
          { location, hint: `keep target: ${l.location ?? ''} until it is stopped, or make it ephemeral: false first` },
        ),
      );
    }
  }
  return errors;
}

/**
 * The member each instance change is on after the change (the plan shows "(on m1)"): the declared
 * target for a create or a move, the live location otherwise. A move that restarts the instance
 * (allowed) needs no restart of its own afterwards: the move stops and starts it.
 */
export function placeInstanceChanges(changes: ResourceChange[], ctx: PlanContext): ResourceChange[] {
  if (!ctx.live.cluster) return changes;
  return changes.map((c) => {
    if (c.kind !== 'instance') return c;
    const d = c.desired as DesiredInstance | undefined;
    const l = ctx.live.instances[c.renamedFrom ?? c.name];
    const moves = c.fields.find((f) => f.path === 'target');
    const member = (c.action === 'create' || c.action === 'replace' || moves) && d?.target ? d.target : (l?.location ?? d?.target);
    const out: ResourceChange = { ...c, ...(member ? { member } : {}) };
    if (moves && c.restart === 'now') delete out.restart;
    return out;
  });
}

/** Stops (when running), moves the instance to `target` and leaves it stopped: the caller starts it as declared. */
export async function moveInstance(
  client: LxdClient,
  cur: LxdInstance,
  target: string,
  stop: () => Promise<void>,
  progress: (m: string) => void,
): Promise<void> {
  const status = cur.status.toLowerCase();
  if (status !== 'stopped') {
    progress(`stopping to move from ${cur.location ?? '?'} to ${target} (${MOVE_NOTE})`);
    if (status === 'frozen') await client.setInstanceState(cur.name, { action: 'unfreeze' });
    await stop();
  }
  progress(`moving from ${cur.location ?? '?'} to ${target}`);
  await client.moveInstanceTo(cur.name, target);
}

/** Whether the instance is where its target asks, at apply time (a group's members read then). */
export async function isOnTarget(client: LxdClient, location: string | undefined, target: string): Promise<boolean> {
  const group = groupOf(target);
  if (group === undefined) return location === target;
  return location !== undefined && (await client.clusterGroupMembers(group)).includes(location);
}
