/**
 * Inhibition in the route stage. For each routed request:
 * 1. `observe` its notifications first: a firing Alertmanager alert that matches some rule's
 *    source side becomes (or stays) an active source, a resolved one stops being one; so a request
 *    that carries a source and its targets mutes the targets;
 * 2. `sift` each notification's targets (after silences): a target an InhibitRule mutes is not
 *    routed, and is recorded for history as "inhibited by <rule>";
 * 3. `commit` the source changes and the history with the routing's own writes, in one
 *    transaction; the metric counts only what was committed.
 * Only Alertmanager alerts are sources: Kubernetes Events and audit events never resolve.
 */
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notification } from '../model/notification.js';
import type { RoutedTarget } from '../routing/route.js';
import { ActiveSources } from '../routing/active-sources.js';
import { inhibitingRules, ruleFor } from '../routing/inhibit.js';
import type { InhibitChanges, InhibitSourceStore, InhibitedEntry, StoredSource } from '../store/inhibit-sources.js';
import { groupKeyOf } from './keys.js';

/** What the route stage calls; NO_INHIBITION when the pipeline has no inhibition state. */
export interface InhibitionStage {
  observe(notifications: readonly Notification[], snap: Snapshot, now: number): void;
  sift(n: Notification, targets: readonly RoutedTarget[], snap: Snapshot, now: number): readonly RoutedTarget[];
  commit(write: () => void): void;
}

export const NO_INHIBITION: InhibitionStage = {
  observe: () => undefined,
  sift: (_n, targets) => targets,
  commit: (write) => write(),
};

export class Inhibition implements InhibitionStage {
  private readonly sources: ActiveSources;
  private upserts = new Map<string, StoredSource>();
  private deletes = new Set<string>();
  private inhibited = new Map<string, InhibitedEntry>();
  /** Notifications muted per rule, counted once committed. */
  private counts = new Map<string, number>();
  /** Which request sift is judging: history has an entry per request, target, group and rule. */
  private request = 0;

  constructor(
    private readonly deps: { store: InhibitSourceStore; metrics?: Metrics },
  ) {
    this.sources = new ActiveSources(deps.store.load());
    deps.metrics?.inhibitSources.set(this.sources.size);
  }

  /** Applies a request's sources before any of its notifications is judged; called once per request. */
  observe(notifications: readonly Notification[], snap: Snapshot, now: number): void {
    this.request++;
    const rules = snap.inhibitRules;
    if (rules.length === 0 && this.sources.size === 0) return;
    for (const n of notifications) {
      if (n.source !== 'alertmanager') continue;
      if (n.status === 'resolved') {
        if (this.sources.remove(n.fingerprint)) this.dropped(n.fingerprint);
      } else if (rules.some((r) => r.source(n.labels))) {
        const stored = this.sources.fire(n.fingerprint, n.labels, now);
        this.deletes.delete(n.fingerprint);
        this.upserts.set(n.fingerprint, { ...stored });
      }
    }
    const { sourceTtlMs, maxSources } = snap.settings.inhibition;
    for (const fp of this.sources.prune(now, sourceTtlMs, maxSources)) this.dropped(fp);
  }

  /** The targets left once InhibitRules have muted theirs; what was muted is kept for history. */
  sift(n: Notification, targets: readonly RoutedTarget[], snap: Snapshot, now: number): readonly RoutedTarget[] {
    const rules = snap.inhibitRules;
    if (rules.length === 0 || targets.length === 0) return targets;
    const lookup = this.sources.lookup(rules, now, snap.settings.inhibition.sourceTtlMs);
    const inhibiting = inhibitingRules(rules, lookup, n.labels);
    if (inhibiting.length === 0) return targets;
    const scopes = new Map(snap.receivers.map((r) => [r.name, r.scope]));
    const groupKey = groupKeyOf(n.labels, snap.settings.groupLabels);
    const muting = new Set<string>();
    const kept = targets.filter((t) => {
      const rule = ruleFor(inhibiting, scopes.get(t.receiver) ?? { kind: 'none' });
      if (rule === undefined) return true;
      muting.add(rule);
      const id = `${this.request}\u0000${t.key}\u0000${groupKey}\u0000${rule}`;
      const entry = this.inhibited.get(id) ?? { at: now, target: t.key, groupKey, rule, fingerprints: [] };
      entry.fingerprints.push(n.fingerprint);
      this.inhibited.set(id, entry);
      return false;
    });
    for (const rule of muting) this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
    return kept;
  }

  /**
   * Runs `write` (the routing's writes) in one transaction with what observe and sift gathered.
   * Either way the gathered changes are let go: when the transaction fails, the requests are
   * routed again and gather them again.
   */
  commit(write: () => void): void {
    const changes: InhibitChanges = { upserts: [...this.upserts.values()], deletes: [...this.deletes], inhibited: [...this.inhibited.values()] };
    const counts = this.counts;
    this.upserts = new Map();
    this.deletes = new Set();
    this.inhibited = new Map();
    this.counts = new Map();
    if (changes.upserts.length === 0 && changes.deletes.length === 0 && changes.inhibited.length === 0) {
      write();
    } else {
      this.deps.store.save(changes, write);
    }
    for (const [rule, n] of counts) this.deps.metrics?.inhibited.inc({ rule }, n);
    this.deps.metrics?.inhibitSources.set(this.sources.size);
  }

  private dropped(fingerprint: string): void {
    this.upserts.delete(fingerprint);
    this.deletes.add(fingerprint);
  }
}
