/**
 * Saved plans, applied exactly: `lxplan -o plan.json` writes the plan with the state's lineage
 * and serial and, per object, a digest of what LXD had; `lxapply plan.json` applies exactly that
 * plan, or refuses: when the state moved on since (which also makes a plan unusable once it has
 * been applied), and, per object, when LXD's object no longer matches the digest (checked on the
 * very read whose ETag the write sends as If-Match; see the executor).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { LxplanError } from '../errors.js';
import { fromPlanDocument, toPlanDocument } from './plan-file.js';
import { loadManifests } from '../manifest/index.js';
import { hashSecret, SENSITIVE } from '../planner/fields.js';
import type { Plan, ResourceChange } from '../planner/plan.js';
import { specs } from '../resources/index.js';
import type { DesiredObject } from '../resources/types.js';
import type { DaemonChoice } from '../lxd/connect.js';
import { resolveDaemon } from './daemon-scope.js';
import { daemonRecord } from '../state/index.js';
import { connect, type ConnectOptions } from './session.js';
import { lxplanVersion } from './version.js';

/** A plan document written as JSON, readable by its owner only (it may name a state URL). */
async function writePlanDocument(doc: unknown, file: string): Promise<void> {
  try {
    await writeFile(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  } catch (e) {
    throw new LxplanError('usage', `cannot write the plan to ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export async function savePlan(plan: Plan, file: string): Promise<void> {
  await writePlanDocument(toPlanDocument(plan, { lxplanVersion: lxplanVersion() }), file);
}

/**
 * The plans of a directory spanning several daemons, saved together: one per daemon, each the
 * document savePlan writes, applied each to its daemon and its state.
 */
interface PlanSetDocument {
  lxplanPlanSet: 1;
  plans: unknown[];
}

export async function savePlans(plans: Plan[], file: string): Promise<void> {
  if (plans.length === 1) return savePlan(plans[0], file);
  const doc: PlanSetDocument = { lxplanPlanSet: 1, plans: plans.map((p) => toPlanDocument(p, { lxplanVersion: lxplanVersion() })) };
  await writePlanDocument(doc, file);
}

export async function readPlanFile(file: string): Promise<Plan> {
  const plans = await readPlanFiles(file);
  if (plans.length !== 1) throw new LxplanError('usage', `${file} holds the plans of ${plans.length} daemons`, { hint: 'apply it with lxapply' });
  return plans[0];
}

/** The plan(s) of a saved plan file: one, or one per daemon (a plan set). */
export async function readPlanFiles(file: string): Promise<Plan[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new LxplanError('usage', `cannot read saved plan ${file}: ${(e as Error).message}`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LxplanError('usage', `${file} is not a saved plan: ${(e as Error).message}`, { hint: 'make one with lxplan -o plan.json' });
  }
  const set = doc as Partial<PlanSetDocument> | null;
  if (set && typeof set === 'object' && set.lxplanPlanSet === 1 && Array.isArray(set.plans)) return set.plans.map((d) => fromPlanDocument(d, file));
  return [fromPlanDocument(doc, file)];
}

/**
 * Secrets are not in the plan file, only their hashes: they are read again from the manifests
 * (and the environment, for ${env:NAME}), and must hash to what the plan recorded.
 */
async function restoreSecrets(plan: Plan, file: string): Promise<void> {
  const needing = plan.changes.filter(
    (c) => c.desired && (Object.values(configOf(c.desired)).includes(SENSITIVE) || specs[c.kind].secrets?.redacted(c.desired)),
  );
  if (needing.length === 0) return;
  if (!plan.manifestPath) throw new LxplanError('plan.stale', `saved plan ${file} holds secrets but not the manifests they come from`);
  const m = await loadManifests(plan.manifestPath, plan.remote ? { remote: plan.remote } : {});
  const stale = (what: string, c: ResourceChange, hint: string) =>
    new LxplanError('plan.stale', `saved plan ${file} is stale: ${what} of ${c.kind} "${c.name}" is not the one the plan was made with`, { hint });
  for (const c of needing) {
    const d = c.desired!;
    const fresh = specs[c.kind].desired(m)[c.name];
    const config = configOf(d);
    for (const [key, value] of Object.entries(config)) {
      if (value !== SENSITIVE) continue;
      const now = fresh ? configOf(fresh)[key] : undefined;
      if (now === undefined || hashSecret(now) !== c.stateFields?.[`config.${key}`])
        throw stale(`the secret value of config ${key}`, c, 'the manifests or the environment changed since; make a new plan');
      config[key] = now;
    }
    const wrong = specs[c.kind].secrets?.restore(d, fresh);
    if (wrong) throw stale(wrong.what, c, wrong.hint);
  }
}

/** A desired object's config keys (none for a kind without config). */
function configOf(d: DesiredObject): Record<string, string> {
  return ('config' in d ? d.config : undefined) ?? {};
}

export interface SavedSession {
  plan: Plan;
  state: Awaited<ReturnType<typeof connect>>['state'];
  client: Awaited<ReturnType<typeof connect>>['client'];
  close: () => Promise<void>;
}

/**
 * A saved plan's remote as its manifests' `remotes:` define it (undefined: they do not, or the
 * plan names no manifests: the CLI config is looked in). The certificates and keys are read
 * again here, from their files or the environment: a plan file holds none of them.
 */
async function definedDaemon(plan: Plan, file: string): Promise<DaemonChoice | undefined> {
  if (!plan.manifestPath || !existsSync(plan.manifestPath)) return undefined;
  let m;
  try {
    m = await loadManifests(plan.manifestPath, { checkFiles: false, remote: plan.remote });
  } catch (e) {
    throw new LxplanError('plan.stale', `saved plan ${file} is for remote "${plan.remote}", and its manifests (${plan.manifestPath}) do not load`, {
      cause: e,
      hint: (e as LxplanError).message,
    });
  }
  if (!m.remotes?.[plan.remote!]) return undefined;
  return resolveDaemon({ remote: plan.remote }, m);
}

/**
 * A saved plan file opened for applying: each of its plans (one per daemon for a directory
 * spanning several) with its daemon and its state locked, or, with --remote, the one plan for
 * that daemon. If one cannot be opened, those that were are closed again.
 */
export async function openSavedPlans(file: string, opts: ConnectOptions): Promise<SavedSession[]> {
  let plans = await readPlanFiles(file);
  if (plans.length > 1 && opts.remote !== undefined) {
    plans = plans.filter((p) => (p.remote ?? 'local') === opts.remote);
    if (plans.length === 0) throw new LxplanError('usage', `saved plan ${file} holds no plan for remote "${opts.remote}"`);
  }
  const opened: SavedSession[] = [];
  try {
    for (const plan of plans) opened.push(await openSavedPlan(plan, file, opts));
  } catch (e) {
    await Promise.all(opened.map((o) => o.close()));
    throw e;
  }
  return opened;
}

async function openSavedPlan(plan: Plan, file: string, opts: ConnectOptions): Promise<SavedSession> {
  const statePath = opts.statePath ?? plan.statePath;
  if (!statePath) throw new LxplanError('usage', `saved plan ${file} does not name its state file`, { hint: 'pass --state' });
  if (opts.project && plan.project && opts.project !== plan.project) {
    throw new LxplanError('usage', `saved plan ${file} was made for LXD project "${plan.project}", not "${opts.project}"`);
  }
  // A saved plan applies to the daemon it was made for: --remote may repeat it, never change it.
  const given = opts.remote && opts.remote !== 'local' ? opts.remote : undefined;
  if (opts.remote !== undefined && given !== (plan.remote === 'local' ? undefined : plan.remote)) {
    throw new LxplanError(
      'usage',
      `saved plan ${file} was made for ${plan.remote ? `remote "${plan.remote}"` : 'the local daemon'}, not ${given ? `remote "${given}"` : 'the local daemon'}`,
    );
  }
  const daemon = plan.remote && plan.remote !== 'local' ? await definedDaemon(plan, file) : undefined;
  const session = await connect(statePath, 'apply', { ...opts, project: opts.project ?? plan.project, remote: plan.remote, ...(daemon ? { daemon } : {}) });
  try {
    session.state.bindProject(session.client.project);
    session.state.bindDaemon(daemonRecord(await session.client.server(), session.client.endpoint)); // and to its server (src/state/daemon-binding.ts)
    const now = session.state.state;
    const was = plan.state ?? { lineage: '', serial: -1 };
    const sameState = now.serial === was.serial && (now.serial === 0 || now.lineage === was.lineage);
    if (!sameState) {
      throw new LxplanError(
        'plan.stale',
        `saved plan ${file} is stale: the state changed since it was made (serial ${was.serial}, now ${now.serial}${now.lineage !== was.lineage && now.serial > 0 ? ', another lineage' : ''})`,
        {
          hint: 'a saved plan applies once, to the state it was made from; make a new plan with lxplan -o',
        },
      );
    }
    await restoreSecrets(plan, file);
    return { plan, state: session.state, client: session.client, close: session.close };
  } catch (e) {
    await session.close();
    throw e;
  }
}
