/**
 * The propagation controller. Informers on the host's Herald objects, policies and members only
 * trigger work; each member has its own level-triggered reconcile loop (so a member that is down
 * never blocks the others): read the host state, render the member's desired set, server-side
 * apply it, prune the copies Herald no longer wants there, and record the outcome. A failing
 * member is retried with exponential backoff; a healthy one is re-synced periodically, which also
 * restores copies edited or deleted by hand.
 *
 * Referenced Secrets are read only where secret-policy.ts allows. On a member a Secret is written
 * only if it is absent (created, so one appearing meanwhile is a conflict, not an overwrite) or
 * Herald's own, and an object goes out only once the Secrets it references are there.
 */
import {
  CustomObjectsApi,
  type KubeConfig,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import {
  GROUP,
  PLURALS,
  PROPAGATED_KINDS,
  VERSION,
  type ClusterStatus,
  type MemberCluster,
  type PropagatedStatus,
  type PropagationPolicy,
} from '@herald/shared';
import { DEFAULT_SECRET_NAMESPACE, secretRefsOf } from '@herald/shared/credential';
import { applyObject, KubeError, pathOf, rawRequest } from '@herald/shared/k8s';
import { desiredFor, MANAGED_BY, MANAGED_BY_LABEL, type HostObject, type HostSecret, type Member, type MemberObject, type RenderOutcome } from './render.js';
import { badSecretNamespaces, DEFAULT_MEMBER_SECRET_NAMESPACES, kubeconfigSecrets, readableRefs, type SecretRules } from './secret-policy.js';
import { heraldsSecrets, readHostSecret, removeSecret, secretRefOfPath, writeSecret, type SecretFailure } from './secret-copies.js';
import { failureKey, heldBack, planFor, type Found } from './diff.js';
import { createHostMetrics, forgetMember } from './metrics.js';
import { EventRecorder, outcomeReason, type InvolvedObject } from './events.js';
import { nextMemberStatus, propagatedStatus, sameStatus, type MemberHealth } from './status.js';
import { AGENT_LEASE_PATH, agentHealth, type AgentLease } from './agent-health.js';
import { Deletion, orphanPaths, remainingOn, type Deletable } from './deletion.js';
import { deleting } from './finalizers.js';
import { forgetVerdicts, memberReports, withVerdict, type MemberReport } from './member-reports.js';
import { memberKubeConfig } from '../members/kubeconfig.js';
import { eachLimited } from '../each-limited.js';

type Cached = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
const keyOf = (o: KubernetesObject): string => `${o.kind ?? ''}/${o.metadata?.name ?? ''}`;

export const FIELD_MANAGER = 'herald-host';
const BURST_PAUSE_MS = 250;
const STATUS_WINDOW_MS = 500;
/** After a status pass that wrote this many objects (a burst), the next waits longer. */
const BUSY_STATUS_WRITES = 100;
const BUSY_STATUS_WINDOW_MS = 3000;
/** Applies in flight per member: all members share the API servers' etcd, which more would starve. */
const APPLY_CONCURRENCY = 2;

export interface ControllerOptions {
  kc: KubeConfig;
  log: (entry: Record<string, unknown>) => void;
  /**
   * Host namespaces referenced Secrets may be read from (herald-host --secret-namespace); default
   * herald-system. herald-clusters, where the kubeconfigs are, is refused.
   */
  secretNamespaces?: readonly string[];
  /** How often a healthy member is re-synced (drift is repaired then, at the latest); default 30 s. */
  resyncMs?: number;
  /** Longest wait between retries of a failing member; default 60 s. */
  maxBackoffMs?: number;
  /**
   * How long a member that was Ready must keep failing before it is marked not Ready (Karmada's
   * --cluster-failure-threshold); a blip shorter than this changes no status. Default 30 s.
   */
  failureThresholdMs?: number;
  now?: () => Date;
}

interface Loop {
  timer?: NodeJS.Timeout;
  running: boolean;
  again: boolean;
  failures: number;
  /** When the member started failing (unset while it answers). */
  failingSince?: number;
  /** When the member's copies were last listed (a full reconcile). */
  listedAt?: number;
}

/** What the last reconcile of a member found, per host object (`Kind/name`). */
type Results = Map<string, ClusterStatus & { placed: boolean }>;

export class PropagationController {
  private readonly informers = new Map<string, Cached>();
  private readonly loops = new Map<string, Loop>();
  private readonly results = new Map<string, Results>();
  /** Per member: path → JSON of what was last applied there (drift is a difference from it). */
  private readonly applied = new Map<string, Map<string, string>>();
  /** Per member: the delivery health its agent wrote on the Receiver copies, as last listed. */
  /** Per member, what its agent reported on the copies at the last listing (member-reports.ts). */
  private readonly reports = new Map<string, Map<string, MemberReport>>();
  readonly metrics = createHostMetrics();
  /** What each host object last looked like, minus status: a status write is not a change to propagate. */
  private readonly seen = new Map<string, string>();
  private statusTimer: NodeJS.Timeout | undefined;
  private statusWriting = false;
  private statusAgain = false;
  private lastStatusWrites = 0;
  private readonly custom: CustomObjectsApi;
  private stopped = false;
  private readonly deletion: Deletion;
  private readonly secretNamespaces: readonly string[];
  private readonly events: EventRecorder;

  constructor(private readonly opts: ControllerOptions) {
    this.secretNamespaces = [...new Set(opts.secretNamespaces ?? [DEFAULT_SECRET_NAMESPACE])];
    const bad = badSecretNamespaces(this.secretNamespaces);
    if (bad) throw new Error(bad);
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.deletion = new Deletion({ kc: opts.kc, log: opts.log, now: () => this.now().getTime() });
    this.events = new EventRecorder({ kc: opts.kc, component: FIELD_MANAGER, now: () => this.now(), log: opts.log });
  }

  async start(): Promise<void> {
    for (const kind of [...PROPAGATED_KINDS, 'PropagationPolicy', 'MemberCluster']) {
      const plural = PLURALS[kind] as string;
      const informer = makeInformer(this.opts.kc, `/apis/${GROUP}/${VERSION}/${plural}`, () =>
        this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as never,
      ) as Cached;
      informer.on('add', (o) => this.changed(o, true));
      informer.on('update', (o) => this.changed(o, false));
      informer.on('delete', (o) => {
        this.seen.delete(keyOf(o));
        this.kickAll();
      });
      informer.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.opts.log({ msg: `watch on ${plural} failed; restarting`, error: (err as Error | undefined)?.message });
        setTimeout(() => void informer.start().catch(() => undefined), 2000).unref();
      });
      this.informers.set(kind, informer);
      await informer.start();
    }
    this.kickAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.statusTimer);
    for (const loop of this.loops.values()) clearTimeout(loop.timer);
    await Promise.all([...this.informers.values()].map((i) => i.stop().catch(() => undefined)));
  }

  private changed(o: KubernetesObject, added: boolean): void {
    const { status: _status, metadata, ...rest } = o as KubernetesObject & { status?: unknown };
    const print = JSON.stringify([rest, metadata?.labels, metadata?.annotations, metadata?.deletionTimestamp]);
    const key = keyOf(o);
    if (!added && this.seen.get(key) === print) return;
    this.seen.set(key, print);
    if (o.kind && o.metadata?.name) this.deletion.noteChanged(o as Deletable);
    this.kickAll();
  }

  /** Finalizers: added to new host objects, removed from deleted ones whose copies are gone. */
  private finalize(): void {
    if (this.stopped) return;
    const names = this.list<MemberCluster>('MemberCluster').map((m) => m.metadata.name);
    void this.deletion.pass(this.hostObjects(), names);
  }

  /** Something on the host changed: every member's loop runs (each is level-triggered). */
  kickAll(): void {
    for (const mc of this.list<MemberCluster>('MemberCluster')) this.kick(mc.metadata.name, 0);
    for (const name of [...this.loops.keys()]) if (!this.member(name)) this.forget(name);
    this.finalize();
  }

  private list<T>(kind: string): T[] {
    return (this.informers.get(kind)?.list() ?? []) as T[];
  }

  private member(name: string): MemberCluster | undefined {
    return this.list<MemberCluster>('MemberCluster').find((m) => m.metadata.name === name);
  }

  private forget(name: string): void {
    clearTimeout(this.loops.get(name)?.timer);
    this.loops.delete(name);
    this.results.delete(name);
    this.applied.delete(name);
    this.reports.delete(name);
    this.deletion.forget(name);
    forgetMember(this.metrics, name);
  }

  private kick(name: string, delayMs: number): void {
    if (this.stopped) return;
    const loop = this.loops.get(name) ?? { running: false, again: false, failures: 0 };
    this.loops.set(name, loop);
    if (loop.running) {
      loop.again = true;
      return;
    }
    clearTimeout(loop.timer);
    loop.timer = setTimeout(() => void this.run(name, loop), delayMs);
    loop.timer.unref();
  }

  private async run(name: string, loop: Loop): Promise<void> {
    loop.running = true;
    let next = this.opts.resyncMs ?? 30_000;
    try {
      await this.reconcile(name, loop);
      loop.failures = 0;
      loop.failingSince = undefined;
    } catch (err) {
      loop.failures++;
      next = Math.min(this.opts.maxBackoffMs ?? 60_000, 500 * 2 ** Math.min(loop.failures, 10));
      this.opts.log({ msg: `member ${name} not synced; retrying in ${next} ms`, error: (err as Error).message });
      // A member that cannot be reached never holds up a deletion.
      this.deletion.memberSynced({ name, reachable: false, syncedAt: 0, remaining: new Set() });
    }
    this.finalize();
    loop.running = false;
    if (!this.loops.has(name)) return;
    if (loop.again) {
      // Changes arrived while this member was reconciling: wait a moment, so a burst (1,000 objects
      // created at once) becomes a few reconciles instead of one per object. A lone change still
      // goes out at once, since an idle loop starts immediately.
      loop.again = false;
      next = BURST_PAUSE_MS;
    }
    this.kick(name, next);
  }

  /** Every propagated host object, including those being deleted. */
  private hostObjects(): HostObject[] {
    return PROPAGATED_KINDS.flatMap((kind) => this.list<HostObject>(kind).map((o) => ({ ...o, kind })));
  }

  /** The host objects that are not being deleted: what members should have. */
  private liveObjects(all: HostObject[] = this.hostObjects()): HostObject[] {
    return all.filter((o) => !deleting(o as Deletable));
  }

  private membersInfo(): Member[] {
    return this.list<MemberCluster>('MemberCluster').map((m) => ({
      name: m.metadata.name,
      labels: m.metadata.labels ?? {},
      identityLabels: m.spec.identityLabels ?? {},
      secretNamespaces: m.spec.secretNamespaces ?? DEFAULT_MEMBER_SECRET_NAMESPACES,
    }));
  }

  private secretRules(): SecretRules {
    return { allowed: this.secretNamespaces, kubeconfigs: kubeconfigSecrets(this.list<MemberCluster>('MemberCluster')) };
  }

  /**
   * The Secrets the host objects (and the policies' overrides) reference, read from the host: only
   * those the rules let it read, so a refused Secret is never even fetched.
   */
  private async hostSecrets(objects: HostObject[], policies: PropagationPolicy[], rules: SecretRules): Promise<HostSecret[]> {
    const refs = readableRefs(secretRefsOf([...objects.map((o) => o.spec), ...policies.map((p) => p.spec.overrides ?? [])]), rules);
    const found = await Promise.all(refs.map((r) => readHostSecret(this.opts.kc, r).catch(() => undefined)));
    return found.filter((s): s is HostSecret => s !== undefined);
  }

  /** Whether a failing member is still within the failure threshold (its Ready status is kept). */
  private withinGrace(mc: MemberCluster, loop: Loop): boolean {
    const now = this.now().getTime();
    loop.failingSince ??= now;
    const wasReady = mc.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    return wasReady && !mc.spec.paused && now - loop.failingSince < (this.opts.failureThresholdMs ?? 30_000);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** The agent's heartbeat Lease on the member, or undefined if there is none. */
  private async agentLease(kc: KubeConfig): Promise<AgentLease | undefined> {
    try {
      return JSON.parse(await rawRequest(kc, 'GET', AGENT_LEASE_PATH, { timeoutMs: 3000 })) as AgentLease;
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async reconcile(name: string, loop: Loop): Promise<void> {
    const mc = this.member(name);
    if (!mc) return this.forget(name);
    const startedAt = this.now().getTime();
    const all = this.hostObjects();
    const objects = this.liveObjects(all);
    const members = this.membersInfo();
    const me = members.find((m) => m.name === name) as Member;
    const policies = this.list<PropagationPolicy>('PropagationPolicy');
    const rules = this.secretRules();
    const desired = desiredFor({ member: me, members, objects, policies, rules, secrets: await this.hostSecrets(objects, policies, rules) });
    let kc: KubeConfig;
    let version: string;
    let lease: AgentLease | undefined;
    try {
      if (mc.spec.paused) throw new Error('paused (spec.paused)');
      kc = await memberKubeConfig(this.opts.kc, mc);
      version = (JSON.parse(await rawRequest(kc, 'GET', '/version', { timeoutMs: 3000 })) as { gitVersion: string }).gitVersion;
      lease = await this.agentLease(kc);
    } catch (err) {
      if (this.withinGrace(mc, loop)) {
        // Still within the threshold: keep what each object said, and mark new ones Pending.
        const before = this.results.get(name);
        this.record(name, desired.outcomes, (r) => before?.get(`${r.kind}/${r.name}`) ?? { state: 'Pending', message: `${name} is not answering; retrying` });
        this.scheduleStatuses();
        throw err;
      }
      this.record(name, desired.outcomes, () => ({ state: 'ClusterNotReady', message: (err as Error).message }));
      await this.writeMemberStatus(mc, { ready: false, message: (err as Error).message });
      this.scheduleStatuses();
      throw err;
    }
    // Only a periodic resync (and the first pass, or one after a failure) lists the member's copies,
    // which is how drift is found; a pass started by a host change trusts what it applied last, so
    // a burst of 1,000 changes does not list 1,000 copies from every member on every pass.
    const full = loop.listedAt === undefined || loop.failures > 0 || startedAt - loop.listedAt >= (this.opts.resyncMs ?? 30_000);
    const { failures, reports, stillThere } = await this.sync(me, kc, desired, { orphans: orphanPaths(all), list: full });
    if (full) loop.listedAt = startedAt;
    this.deletion.memberSynced({ name, reachable: true, syncedAt: startedAt, remaining: remainingOn(all, stillThere) });
    const before = this.results.get(name);
    this.record(name, desired.outcomes, (r) => {
      const report = reports.get(`${r.kind}/${r.name}`);
      const reported = report?.delivery ? { delivery: report.delivery } : {};
      if (r.error) return { state: r.error.state, message: r.error.message };
      const failed = failures.get(`${r.kind}/${r.name}`);
      if (failed) return { state: 'ApplyFailed', message: failed, ...reported };
      const applied = r.missingSecrets.length > 0 ? { state: 'Applied' as const, message: `Secret ${r.missingSecrets.join(', ')} not found on the host` } : { state: 'Applied' as const };
      return { ...withVerdict(applied, report), ...reported };
    });
    await this.reportOutcomes(name, before, this.results.get(name));
    const agent = agentHealth(lease, this.now());
    await this.writeMemberStatus(mc, { ready: true, version, synced: failures.size === 0 && desired.outcomes.every((o) => !o.error), agent });
    this.scheduleStatuses();
    const doneAt = this.now().getTime();
    this.metrics.applyErrors.inc({ cluster: name }, failures.size);
    this.metrics.lastSync.set({ cluster: name }, doneAt / 1000);
    this.metrics.syncSeconds.observe({ cluster: name }, (doneAt - startedAt) / 1000);
  }

  /**
   * Brings the member to the desired set: lists Herald's copies there, applies only what is
   * missing or differs (the Secrets first: an object goes out only once the Secrets it references
   * are there), deletes what is no longer wanted, and reports drift. Returns the failures by
   * `Kind/name` (a Secret's on every object referencing it).
   */
  private async sync(
    member: Member,
    kc: KubeConfig,
    desiredState: { objects: MemberObject[]; outcomes: RenderOutcome[] },
    opts: { orphans: ReadonlySet<string>; list: boolean },
  ): Promise<{ failures: Map<string, string>; reports: Map<string, MemberReport>; stillThere: Set<string> }> {
    const desired = desiredState.objects.map((object) => ({ path: pathOf(object, PLURALS), object }));
    const applied = this.applied.get(member.name) ?? new Map<string, string>();
    this.applied.set(member.name, applied);
    const found = opts.list ? await this.managedCopies(kc, member.secretNamespaces) : [...applied].map(([path, json]) => ({ path, object: JSON.parse(json) as Found['object'] }));
    if (opts.list) this.reports.set(member.name, memberReports(found));
    const reports = this.reports.get(member.name) ?? new Map<string, MemberReport>();
    const plan = planFor({ desired, found, applied });
    // What Herald knows to be its own there: listed with its marks, or written by this controller.
    const own = new Set(found.map((f) => f.path));
    const secretFailures = new Map<string, SecretFailure>();
    const target = { kc, member: member.name, fieldManager: FIELD_MANAGER };
    await eachLimited(plan.apply.filter((o) => o.kind === 'Secret'), APPLY_CONCURRENCY, async (o) => {
      const failure = await writeSecret(target, o, own.has(pathOf(o)));
      if (failure) secretFailures.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, failure);
    });
    const { failures, unwanted } = heldBack(desiredState.outcomes, secretFailures);
    await eachLimited(plan.apply.filter((o) => o.kind !== 'Secret' && !failures.has(failureKey(o))), APPLY_CONCURRENCY, (o) =>
      applyObject(kc, o, { fieldManager: FIELD_MANAGER, plurals: PLURALS }).catch((err: unknown) => {
        failures.set(failureKey(o), err instanceof KubeError ? err.message : String(err));
      }),
    );
    const remove = [...plan.remove, ...unwanted.map((o) => pathOf(o, PLURALS)).filter((p) => own.has(p))];
    const stillThere = await this.removeOrRelease(kc, remove, opts.orphans);
    for (const d of plan.drift) if (!failures.has(failureKey(d.object))) await this.reportDrift(member.name, d.object, d.how);
    for (const { path, object } of desired) if (!failures.has(failureKey(object))) applied.set(path, JSON.stringify(object));
    for (const path of remove) applied.delete(path);
    forgetVerdicts(reports, plan.apply);
    return { failures, reports, stillThere };
  }

  /**
   * Deletes the copies Herald no longer wants, except those an orphaning deletion keeps: these
   * lose Herald's label instead, so nothing prunes them later. A Secret is touched only while it
   * is Herald's (secret-copies.ts). Returns the paths that failed.
   */
  private async removeOrRelease(kc: KubeConfig, paths: readonly string[], orphans: ReadonlySet<string>): Promise<Set<string>> {
    const failed = new Set<string>();
    const release = JSON.stringify({ metadata: { labels: { [MANAGED_BY_LABEL]: null } } });
    await eachLimited(paths, 8, async (path) => {
      const secret = secretRefOfPath(path);
      const removal = secret
        ? removeSecret(kc, path, secret, orphans.has(path))
        : orphans.has(path)
          ? rawRequest(kc, 'PATCH', path, { contentType: 'application/merge-patch+json', body: release })
          : rawRequest(kc, 'DELETE', path);
      await removal.catch((err: unknown) => {
        if (!(err instanceof KubeError && err.status === 404)) failed.add(path);
      });
    });
    return failed;
  }

  /**
   * Every copy on the member that is Herald's, by path (with its status): the Herald kinds with its
   * label, and the Secrets with its marks in the namespaces Herald may write there.
   */
  private async managedCopies(kc: KubeConfig, secretNamespaces: readonly string[]): Promise<Found[]> {
    const selector = `labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${MANAGED_BY}`)}`;
    const kinds = PROPAGATED_KINDS.map(async (k) => {
      const path = `/apis/${GROUP}/${VERSION}/${PLURALS[k]}?${selector}`;
      const items = (JSON.parse(await rawRequest(kc, 'GET', path)) as { items: (Found['object'] & { metadata: { name: string } })[] }).items;
      return items.map((item) => ({ path: pathOf({ apiVersion: `${GROUP}/${VERSION}`, kind: k, metadata: item.metadata }, PLURALS), object: item }));
    });
    return (await Promise.all([...kinds, heraldsSecrets(kc, secretNamespaces)])).flat();
  }

  /** Drift is repaired by the apply; it is also reported: an Event on the host object and a counter. */
  private async reportDrift(member: string, o: MemberObject, how: 'edited' | 'deleted'): Promise<void> {
    const message = `the copy on ${member} was ${how} there; Herald restored it`;
    this.metrics.drift.inc({ cluster: member, kind: o.kind, how });
    this.opts.log({ msg: 'drift repaired', cluster: member, kind: o.kind, name: o.metadata.name, how });
    if (o.kind === 'Secret') return;
    await this.events.record({ object: this.hostRef(o.kind, o.metadata.name), type: 'Warning', reason: 'DriftRepaired', message });
  }

  private record(member: string, outcomes: RenderOutcome[], state: (r: RenderOutcome) => Pick<ClusterStatus, 'state' | 'message' | 'delivery'>): void {
    const results: Results = new Map();
    for (const r of outcomes) {
      const placed = r.object !== undefined || r.error !== undefined;
      results.set(`${r.kind}/${r.name}`, { name: member, observedGeneration: r.generation, placed, ...(placed ? state(r) : { state: 'Pending' }) });
    }
    this.results.set(member, results);
  }

  /**
   * One writer for host object statuses, whichever members finished: results within the window
   * land in one write per object (an object's status otherwise changes once per member).
   */
  private scheduleStatuses(): void {
    if (this.statusTimer || this.stopped) return;
    if (this.statusWriting) {
      this.statusAgain = true;
      return;
    }
    // In a burst every member changes every object's status in turn: writing less often then
    // saves the host thousands of writes that would only be overwritten.
    const wait = this.lastStatusWrites >= BUSY_STATUS_WRITES ? BUSY_STATUS_WINDOW_MS : STATUS_WINDOW_MS;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.statusWriting = true;
      void this.writeStatuses().finally(() => {
        this.statusWriting = false;
        if (this.statusAgain) {
          this.statusAgain = false;
          this.scheduleStatuses();
        }
      });
    }, wait);
    this.statusTimer.unref();
  }

  /** Writes status.clusters and the Propagated condition on every host object whose status changed. */
  private async writeStatuses(): Promise<void> {
    const now = (this.opts.now?.() ?? new Date()).toISOString();
    let writes = 0;
    await eachLimited(this.liveObjects(), 8, async (o) => {
      const entries = [...this.results.values()].flatMap((r) => {
        const e = r.get(`${o.kind}/${o.metadata.name}`);
        if (!e?.placed) return [];
        const { placed: _placed, ...entry } = e;
        return [entry];
      });
      const previous = (o as { status?: PropagatedStatus }).status;
      const status = propagatedStatus({ entries, generation: o.metadata.generation, previous, now, kind: o.kind });
      if (sameStatus(previous, status)) return;
      writes++;
      await this.patchStatus(o.kind, o.metadata.name, status);
    });
    this.lastStatusWrites = writes;
  }

  /** A host object as an Event's involvedObject, with its uid (kubectl describe matches on it). */
  private hostRef(kind: string, name: string): InvolvedObject {
    const uid = this.list<{ metadata: { name: string; uid?: string } }>(kind).find((h) => h.metadata.name === name)?.metadata.uid;
    return { apiVersion: `${GROUP}/${VERSION}`, kind, name, ...(uid ? { uid } : {}) };
  }

  /** Events for what changed to a failure on a member since its last pass (not every pass). */
  private async reportOutcomes(member: string, before: Results | undefined, after: Results | undefined): Promise<void> {
    for (const [key, now] of after ?? []) {
      const reason = now.placed ? outcomeReason(before?.get(key), now) : undefined;
      if (!reason) continue;
      const [kind = '', name = ''] = key.split('/');
      await this.events.record({ object: this.hostRef(kind, name), type: 'Warning', reason, message: `on ${member}: ${now.message ?? now.state}` });
    }
  }

  /** Events when a member stops answering and when it answers again. */
  private async reportReadiness(mc: MemberCluster, health: MemberHealth): Promise<void> {
    const was = mc.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const object = { apiVersion: `${GROUP}/${VERSION}`, kind: 'MemberCluster', name: mc.metadata.name, ...(mc.metadata.uid ? { uid: mc.metadata.uid } : {}) };
    if (!health.ready && was !== 'False') await this.events.record({ object, type: 'Warning', reason: 'MemberNotReady', message: health.message ?? 'the member API server does not answer' });
    else if (health.ready && was === 'False') await this.events.record({ object, type: 'Normal', reason: 'MemberReady', message: 'the member API server answers again' });
  }

  private async writeMemberStatus(mc: MemberCluster, health: MemberHealth): Promise<void> {
    await this.reportReadiness(mc, health);
    this.metrics.memberReady.set({ cluster: mc.metadata.name }, health.ready ? 1 : 0);
    this.metrics.agentReady.set({ cluster: mc.metadata.name }, health.agent?.status === 'True' ? 1 : 0);
    const status = nextMemberStatus(mc, health, this.now().toISOString());
    if (status) await this.patchStatus('MemberCluster', mc.metadata.name, status);
  }


  private async patchStatus(kind: string, name: string, status: unknown): Promise<void> {
    await rawRequest(this.opts.kc, 'PATCH', `/apis/${GROUP}/${VERSION}/${PLURALS[kind]}/${name}/status`, {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ status }),
    }).catch((err: unknown) => this.opts.log({ msg: `cannot write status of ${kind} ${name}`, error: (err as Error).message }));
  }
}
