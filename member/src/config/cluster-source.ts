/**
 * In-cluster configuration: informers on the agent's kinds and on the Secrets they reference.
 * Every change rebuilds the configuration (debounced) and hands it to `onConfig`, so changes take
 * effect without a restart. Each object's status gets an `Accepted` condition that says whether
 * the agent uses it, and if not, which field is wrong.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1Secret,
} from '@kubernetes/client-node';
import { GROUP, VERSION, KINDS, PROPAGATED_KINDS, condition, secretRefsOf, type Condition } from '@herald/shared';
import { usableByHerald } from '@herald/shared/credential';
import { sortObjects, type ConfigInput } from './objects.js';
import type { Problem } from './snapshot.js';

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;
/** A Herald object as the informer caches it. */
type HeraldRaw = KubernetesObject & { spec?: unknown };

/** The kinds an agent watches: every kind the host propagates. */
const AGENT_KINDS = PROPAGATED_KINDS;
const RESTART_MS = 2000;

export interface ClusterSourceOptions {
  kc: KubeConfig;
  /** Applies a configuration; returns every problem found in it (schema and compile-time alike). */
  onConfig: (config: ConfigInput, problems: Problem[]) => Problem[];
  log: (entry: Record<string, unknown>) => void;
  /** Namespace of Secrets whose references name none. */
  defaultSecretNamespace?: string;
  debounceMs?: number;
}

/** The Accepted condition an object should carry, given the problems found in it. */
function acceptedCondition(problems: Problem[], generation: number | undefined): Omit<Condition, 'lastTransitionTime'> {
  const bad = problems.length > 0;
  return {
    type: 'Accepted',
    status: bad ? 'False' : 'True',
    reason: bad ? 'Invalid' : 'Accepted',
    message: bad ? problems.map((p) => p.message).join('; ').slice(0, 4000) : 'in use by the agent',
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/**
 * The conditions an object's status should have, or undefined when it already has them. The
 * transition time moves only when the status flips, and an unchanged condition is not rewritten
 * (each write is a watch event, and would otherwise start the next rebuild).
 */
export function nextConditions(
  object: { metadata?: { generation?: number }; status?: { conditions?: Condition[] } },
  problems: Problem[],
  now: string,
): Condition[] | undefined {
  const want = acceptedCondition(problems, object.metadata?.generation);
  const conditions = object.status?.conditions ?? [];
  const have = conditions.find((c) => c.type === 'Accepted');
  if (have?.status === want.status && have.message === want.message && have.observedGeneration === want.observedGeneration) return undefined;
  return [...conditions.filter((c) => c.type !== 'Accepted'), condition(want, have, now)];
}

/** An object's content apart from its status and bookkeeping: a change here needs a rebuild. */
export function contentPrint(o: KubernetesObject & { spec?: unknown; data?: unknown }): string {
  return JSON.stringify([o.metadata?.labels, o.metadata?.annotations, o.spec, o.data, o.metadata?.deletionTimestamp]);
}

export class ClusterSource {
  private readonly kinds = new Map<string, Watched<HeraldRaw>>();
  private readonly secrets = new Map<string, Watched<V1Secret>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * False until every informer has listed: a rebuild from a partial view (the Receivers listed,
   * Settings not yet) would deliver under the wrong cluster name or with no Config.
   */
  private synced = false;
  /** What each object last held apart from status, by uid. */
  private readonly prints = new Map<string, string>();
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(private readonly opts: ClusterSourceOptions) {
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.core = opts.kc.makeApiClient(CoreV1Api);
  }

  async start(): Promise<void> {
    for (const kind of AGENT_KINDS) {
      const def = KINDS.find((k) => k.kind === kind);
      if (!def) continue;
      const plural = def.plural;
      const informer = makeInformer<HeraldRaw>(this.opts.kc, `/apis/${GROUP}/${VERSION}/${plural}`, () =>
        this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as never,
      ) as Watched<HeraldRaw>;
      this.kinds.set(kind, informer);
      await this.run(informer, `${plural}.${GROUP}`);
    }
    await this.watchSecrets(this.opts.defaultSecretNamespace ?? 'herald-system');
    this.synced = true;
    // The first configuration is in place before start() returns, so nothing routes without it.
    await this.rebuild();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.kinds.values(), ...this.secrets.values()].map((i) => i.stop().catch(() => undefined)));
  }

  /**
   * Starts an informer; on a watch error it logs and starts it again after a pause. An update that
   * changes only status (the agent's own Accepted and delivery reports) rebuilds nothing.
   */
  private async run<T extends KubernetesObject>(informer: Watched<T>, what: string): Promise<void> {
    const seen = (o: T): boolean => {
      const key = o.metadata?.uid ?? `${what}/${o.metadata?.name ?? ''}`;
      const print = contentPrint(o);
      const same = this.prints.get(key) === print;
      this.prints.set(key, print);
      return same;
    };
    informer.on('add', (o) => {
      seen(o);
      this.schedule();
    });
    informer.on('update', (o) => {
      if (!seen(o)) this.schedule();
    });
    informer.on('delete', (o) => {
      this.prints.delete(o.metadata?.uid ?? '');
      this.schedule();
    });
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.opts.log({ msg: `watch on ${what} failed; restarting`, error: (err as Error | undefined)?.message });
      setTimeout(() => void informer.start().catch(() => undefined), RESTART_MS).unref();
    });
    await informer.start();
  }

  private async watchSecrets(namespace: string): Promise<void> {
    if (this.secrets.has(namespace) || this.stopped) return;
    const informer = makeInformer<V1Secret>(this.opts.kc, `/api/v1/namespaces/${namespace}/secrets`, () =>
      this.core.listNamespacedSecret({ namespace }),
    ) as Watched<V1Secret>;
    this.secrets.set(namespace, informer);
    await this.run(informer, `secrets in ${namespace}`).catch((err: unknown) =>
      this.opts.log({ msg: `cannot watch Secrets in ${namespace}`, error: (err as Error).message }),
    );
  }

  private schedule(): void {
    if (this.stopped || !this.synced) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.rebuild(), this.opts.debounceMs ?? 100);
  }

  private async rebuild(): Promise<void> {
    const objects = [...this.kinds.values()].flatMap((i) => i.list()).map((object) => ({ object: object, where: 'cluster' }));
    // Secrets travel only because an object references them: watch the namespaces referenced.
    const namespaces = new Set(secretRefsOf(objects.map((o) => o.object.spec), this.opts.defaultSecretNamespace).map((r) => r.namespace));
    await Promise.all([...namespaces].map((ns) => this.watchSecrets(ns)));
    // Only Secrets Herald may use: the host's marked copies, or those offered by label. The
    // namespaces hold others (the agent's own token and key, anything else kept there), which a
    // Receiver written on the host must not be able to send anywhere.
    const secretObjects = [...this.secrets.values()]
      .flatMap((i) => i.list())
      .filter((s) => usableByHerald(s.metadata))
      .map((s) => ({ object: { ...s, apiVersion: 'v1', kind: 'Secret' }, where: 'cluster' }));
    const { input, problems } = sortObjects([...objects, ...secretObjects]);
    const all = this.opts.onConfig(input, problems);
    await this.writeStatus(objects.map((o) => o.object), all);
  }

  /** Sets `Accepted` on every object whose condition differs from what it should be. */
  private async writeStatus(objects: HeraldRaw[], problems: Problem[]): Promise<void> {
    const now = new Date().toISOString();
    for (const o of objects) {
      const kind = String(o.kind);
      const name = o.metadata?.name ?? '';
      const plural = KINDS.find((k) => k.kind === kind)?.plural;
      const conditions = nextConditions(o, problems.filter((p) => p.kind === kind && p.name === name), now);
      if (!plural || !conditions) continue;
      await this.custom
        .patchClusterCustomObjectStatus(
          { group: GROUP, version: VERSION, plural, name, body: { status: { conditions } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        .catch((err: unknown) => this.opts.log({ msg: `cannot write status of ${kind} ${name}`, error: (err as Error).message }));
    }
  }
}
