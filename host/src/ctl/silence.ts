/**
 * `heraldctl silence add|query|expire`: amtool's verbs over Herald Silences on the host, which
 * propagation carries to the members whose agents mute by them. The object and the table are
 * built by pure functions; the requests are at the bottom.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, type ObjectMeta, type Silence, type SilenceSpec } from '@herald/shared';
import { UsageError } from '@herald/shared/cli';
import { compileSelector } from '@herald/shared/selector';
import { silenceWindow, type SilenceState } from '@herald/shared/silence';
import { KubeError, rawRequest } from '@herald/shared/k8s';
import { placedMembers } from '../members/placed.js';
import { selectorOf, selectorText, type Matcher } from './matchers.js';

const COMMENT = 'herald.dev/comment';
const AUTHOR = 'herald.dev/author';
const EXPIRED_AT = 'herald.dev/expired-at';
const SILENCES = `/apis/${API_VERSION}/silences`;

export interface AddArgs {
  matchers: Matcher[];
  comment: string;
  author: string;
  /** A one-off window: from `start` for `durationMs`; or a cron schedule, each tick for `durationMs`. */
  start: Date;
  durationMs: number;
  schedule?: string;
  /** A tenant's silence (labels type=tenant and tenantKey=tenant); global otherwise. */
  tenant?: { key: string; value: string };
  labels: Record<string, string>;
  name?: string;
}

/** Milliseconds as a Herald duration: `2h`, `1h30m`, `45s` (whole seconds, rounded up). */
export function durationText(ms: number): string {
  let s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text || '0s';
}

/** A Silence before the API server names it: `generateName` unless --name was given. */
export type NewSilence = Omit<Silence, 'metadata'> & { metadata: Omit<ObjectMeta, 'name'> & { name?: string; generateName?: string } };

/** The Silence `add` creates (pure). */
export function silenceObject(a: AddArgs): NewSilence {
  if (a.durationMs <= 0) throw new UsageError('the silence must last longer than 0s (--duration, or an --end after --start)');
  const scope = a.tenant ? { type: 'tenant', [a.tenant.key]: a.tenant.value } : { type: 'global' };
  const spec: SilenceSpec = {
    matcher: selectorOf(a.matchers),
    ...(a.schedule !== undefined ? { schedule: a.schedule } : { startsAt: a.start.toISOString().replace(/\.\d{3}Z$/, 'Z') }),
    duration: durationText(a.durationMs),
  };
  return {
    apiVersion: API_VERSION,
    kind: 'Silence',
    metadata: {
      ...(a.name !== undefined ? { name: a.name } : { generateName: 'silence-' }),
      labels: { ...a.labels, ...scope },
      annotations: { [COMMENT]: a.comment, [AUTHOR]: a.author },
    },
    spec,
  };
}

export interface SilenceRow {
  name: string;
  state: SilenceState;
  matchers: string;
  starts: string;
  ends: string;
  scope: string;
  clusters: string;
  comment: string;
}

const shortTime = (d: Date | undefined): string => (d ? d.toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z') : '-');

function scopeText(labels: Record<string, string>, tenantKey: string): string {
  if (labels['type'] === 'tenant') return `tenant ${labels[tenantKey] ?? '(no ' + tenantKey + ' label)'}`;
  return labels['type'] ?? '-';
}

/**
 * The rows `query` prints (pure): active and pending silences, or with `expired` only the expired
 * ones; with `labels`, only silences that would mute an alert carrying them. Schedules show the
 * window in force or the next one.
 */
export function silenceRows(items: readonly Silence[], o: { now: Date; expired: boolean; labels?: Record<string, string>; tenantKey: string }): SilenceRow[] {
  return items
    .map((s) => ({ s, w: windowOf(s, o.now) }))
    .filter(({ w }) => (o.expired ? w.state === 'expired' : w.state !== 'expired'))
    .filter(({ s }) => o.labels === undefined || compileSelector(s.spec.matcher)(o.labels))
    .map(({ s, w }) => ({
      name: s.metadata.name,
      state: w.state,
      matchers: selectorText(s.spec.matcher).join(' '),
      starts: s.spec.schedule !== undefined && w.startsAt ? `${shortTime(w.startsAt)} (${s.spec.schedule})` : shortTime(w.startsAt),
      ends: shortTime(w.endsAt),
      scope: scopeText(s.metadata.labels ?? {}, o.tenantKey),
      clusters: s.status?.summary ?? '-',
      comment: s.metadata.annotations?.[COMMENT] ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A silence whose schedule the host cannot read is shown as pending with no window; the agents refuse it. */
function windowOf(s: Silence, now: Date): ReturnType<typeof silenceWindow> {
  try {
    return silenceWindow(s.spec, now);
  } catch {
    return { state: 'pending' };
  }
}

export const SILENCE_HEADER = ['NAME', 'STATE', 'MATCHERS', 'STARTS', 'ENDS', 'SCOPE', 'CLUSTERS', 'COMMENT'];
export const rowCells = (r: SilenceRow): string[] => [r.name, r.state, r.matchers, r.starts, r.ends, r.scope, r.clusters, r.comment];

// --- requests -------------------------------------------------------------------------------

const json = <T>(text: string): T => JSON.parse(text) as T;

/** What the host says when Herald is not installed there, in words a user can act on. */
function hostError(err: unknown): never {
  if (err instanceof KubeError && err.status === 404) throw new Error('the host has no Silence kind: install Herald on the host first (heraldctl init, or the herald chart)');
  throw err;
}

/** Creates the silence; the members it will reach, by the host's policies, are in the answer. */
export async function addSilence(kc: KubeConfig, object: NewSilence): Promise<{ name: string; members: string[]; policies: string[] }> {
  const made = await rawRequest(kc, 'POST', `${SILENCES}?fieldManager=heraldctl`, { body: JSON.stringify(object) }).catch(hostError);
  const created = json<Silence>(made);
  const placed = await placedMembers(kc, { kind: 'Silence', name: created.metadata.name, labels: created.metadata.labels ?? {} });
  return { name: created.metadata.name, members: placed.members.map((m) => m.metadata.name), policies: placed.policies };
}

export async function listSilences(kc: KubeConfig): Promise<Silence[]> {
  return json<{ items: Silence[] }>(await rawRequest(kc, 'GET', SILENCES).catch(hostError)).items;
}

/** Lifts each named silence (enabled false, and when), as amtool's expire ends one now. */
export async function expireSilences(kc: KubeConfig, names: readonly string[], now: Date): Promise<string[]> {
  const patch = JSON.stringify({ metadata: { annotations: { [EXPIRED_AT]: now.toISOString() } }, spec: { enabled: false } });
  const done: string[] = [];
  for (const name of names) {
    await rawRequest(kc, 'PATCH', `${SILENCES}/${encodeURIComponent(name)}?fieldManager=heraldctl`, { contentType: 'application/merge-patch+json', body: patch }).catch((err: unknown) => {
      if (err instanceof KubeError && err.status === 404) throw new Error(`no silence ${name} on the host${done.length ? ` (expired: ${done.join(', ')})` : ''}`);
      return hostError(err);
    });
    done.push(name);
  }
  return done;
}
