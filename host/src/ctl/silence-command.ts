/** `heraldctl silence add|query|expire`: help, flags, and from flags to silence.ts. */
import { userInfo } from 'node:os';
import { UsageError, type FlagTable } from '@herald/shared/cli';
import { parseDuration } from '@herald/shared/duration';
import { checkSchedule } from '@herald/shared/silence';
import { bool, HOST_FLAGS, HOST_HELP, isDnsLabel, list, OUTPUT_FLAGS, outputOf, str, type Command, type Values } from './command.js';
import { hostKubeconfig } from './kube-flags.js';
import { labelsOf, parseMatcher } from './matchers.js';
import { renderManifests, table } from './output.js';
import { addSilence, type AddArgs, expireSilences, listSilences, rowCells, SILENCE_HEADER, silenceObject, silenceRows } from './silence.js';

const say = (line: string): void => console.log(line);
/** A Kubernetes object name (a DNS subdomain). */
const OBJECT_NAME = /^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/;

const ADD_FLAGS = {
  ...HOST_FLAGS,
  ...OUTPUT_FLAGS,
  comment: { type: 'string', short: 'c' },
  author: { type: 'string', short: 'a' },
  duration: { type: 'string', short: 'd' },
  start: { type: 'string' },
  end: { type: 'string' },
  schedule: { type: 'string' },
  tenant: { type: 'string' },
  'tenant-key': { type: 'string', default: 'namespace' },
  label: { type: 'string', multiple: true, default: [] },
  name: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} satisfies FlagTable;

const ADD_USAGE = `Mute notifications on every member the silence is placed on (amtool's silence add, as a Herald Silence).

usage: heraldctl silence add [alertname] MATCHER… --comment TEXT [--author NAME] [--duration 1h | --end TIME] [--start TIME]
                        [--schedule CRON --duration D] [--tenant T [--tenant-key namespace]] [--label k=v …] [--name NAME]
                        [--dry-run [-o yaml|json]]
${HOST_HELP}
  MATCHER             name=value, name!=value, name=~regex (RE2, the whole value) or name=""/name!="" (absent/present);
                      a bare first word is the alertname. Herald has no negative regex (name!~regex is refused).
  -c, --comment       why (required, as amtool requires it); kept in the annotation herald.dev/comment
  -a, --author        who (default: $USER, else your login name); kept in herald.dev/author
  -d, --duration      how long (default 1h): 30m, 2h, 1h30m
  --start, --end      RFC 3339 times (default start: now); --end sets the duration
  --schedule          a cron schedule (UTC): the silence holds for --duration after each tick, until expired
  --tenant            mute only the receivers of this tenant (labels type=tenant and --tenant-key=T); default global
  --label             another label on the Silence, e.g. for a PropagationPolicy to select it
  --dry-run           print the Silence and create nothing

add prints the silence's name and the members it goes to (by the host's PropagationPolicies).`;

const QUERY_FLAGS = { ...HOST_FLAGS, ...OUTPUT_FLAGS, expired: { type: 'boolean', default: false }, 'tenant-key': { type: 'string', default: 'namespace' } } satisfies FlagTable;

const QUERY_USAGE = `List silences: active and pending ones, or with --expired the expired ones.

usage: heraldctl silence query [LABEL=VALUE…] [--expired] [-o yaml|json]
${HOST_HELP}
  LABEL=VALUE         only silences that would mute an alert with these labels
  --expired           expired silences instead (ended, or lifted with expire)

STATE is active, pending or expired; a scheduled silence shows the window in force or the next one.
CLUSTERS is the host's count of members it is applied on.`;

const EXPIRE_USAGE = `End silences now (they stay on the host, disabled, with herald.dev/expired-at).

usage: heraldctl silence expire NAME…
${HOST_HELP}`;

/** A time flag: RFC 3339 with a zone, as amtool takes it. */
function timeFlag(v: Values, name: string): Date | undefined {
  const text = str(v, name);
  if (text === undefined) return undefined;
  const ms = /(Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--${name} ${JSON.stringify(text)} is not an RFC 3339 time with a zone, e.g. 2026-12-03T18:00:00Z`);
  return new Date(ms);
}

function durationFlag(v: Values): number | undefined {
  const text = str(v, 'duration');
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`--duration: ${(err as Error).message}`);
  }
}

function labelFlags(v: Values): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const kv of list(v, 'label')) {
    const at = kv.indexOf('=');
    if (at <= 0) throw new UsageError(`--label ${JSON.stringify(kv)} is not key=value`);
    labels[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return labels;
}

/** The window: a schedule needs a duration; --end and --duration are one choice; the default is 1h from now. */
function window(v: Values, now: Date): { start: Date; durationMs: number; schedule?: string } {
  const schedule = str(v, 'schedule');
  const start = timeFlag(v, 'start') ?? now;
  const end = timeFlag(v, 'end');
  const duration = durationFlag(v);
  if (end !== undefined && duration !== undefined) throw new UsageError('give --end or --duration, not both');
  if (schedule !== undefined) {
    if (duration === undefined) throw new UsageError('--schedule needs --duration (how long each window lasts)');
    if (end !== undefined || str(v, 'start') !== undefined) throw new UsageError('--schedule takes --duration, not --start or --end');
    try {
      checkSchedule({ matcher: {}, schedule, duration: '1h' });
    } catch (err) {
      throw new UsageError(`--schedule: ${(err as Error).message.replace(/^spec\.schedule: /, '')}`);
    }
    return { start, durationMs: duration, schedule };
  }
  return { start, durationMs: end !== undefined ? end.getTime() - start.getTime() : (duration ?? 3_600_000) };
}

/** $USER, else the login name; a uid with no passwd entry (a container's) has none, and userInfo throws. */
function defaultAuthor(): string {
  if (process.env['USER']) return process.env['USER'];
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** From add's flags to the arguments of silenceObject. */
function addArgs(v: Values, positionals: string[]): AddArgs {
  const matchers = positionals.map((p, i) => parseMatcher(p, i === 0));
  const comment = str(v, 'comment');
  if (comment === undefined || comment.trim() === '') throw new UsageError('--comment is required: say why the silence is there');
  const name = str(v, 'name');
  if (name !== undefined && !isDnsLabel(name)) throw new UsageError(`--name ${JSON.stringify(name)} must be a DNS label`);
  const tenant = str(v, 'tenant');
  return {
    matchers,
    comment,
    author: str(v, 'author') ?? defaultAuthor(),
    ...window(v, new Date()),
    ...(tenant !== undefined ? { tenant: { key: str(v, 'tenant-key') ?? 'namespace', value: tenant } } : {}),
    labels: labelFlags(v),
    ...(name !== undefined ? { name } : {}),
  };
}

function add(): Command {
  return {
    summary: 'mute matching notifications for a while',
    usage: ADD_USAGE,
    flags: ADD_FLAGS,
    async run(v, positionals) {
      const object = silenceObject(addArgs(v, positionals));
      if (bool(v, 'dry-run')) return say(renderManifests([object], outputOf(v) ?? 'yaml'));
      const made = await addSilence(hostKubeconfig(v), object);
      say(made.name);
      const by = made.policies.length > 0 ? `by PropagationPolicy ${made.policies.join(', ')}` : 'no PropagationPolicy selects it, so every member';
      say(made.members.length > 0 ? `goes to ${made.members.join(', ')} (${by})` : `goes to no member (${made.policies.length > 0 ? by : 'no member is registered'}): it mutes nothing yet`);
    },
  };
}

function query(): Command {
  return {
    summary: 'list silences',
    usage: QUERY_USAGE,
    flags: QUERY_FLAGS,
    async run(v, positionals) {
      const labels = positionals.length > 0 ? labelsOf(positionals.map((p) => parseMatcher(p))) : undefined;
      const output = outputOf(v);
      const items = await listSilences(hostKubeconfig(v));
      const rows = silenceRows(items, { now: new Date(), expired: bool(v, 'expired'), tenantKey: str(v, 'tenant-key') ?? 'namespace', ...(labels ? { labels } : {}) });
      if (output !== undefined) {
        const shown = new Set(rows.map((r) => r.name));
        return say(renderManifests(items.filter((s) => shown.has(s.metadata.name)), output));
      }
      say(rows.length > 0 ? table(SILENCE_HEADER, rows.map(rowCells)) : bool(v, 'expired') ? 'no expired silences' : 'no active or pending silences');
    },
  };
}

function expire(): Command {
  return {
    summary: 'end silences now',
    usage: EXPIRE_USAGE,
    flags: { ...HOST_FLAGS },
    async run(v, positionals) {
      if (positionals.length === 0) throw new UsageError('name at least one silence (heraldctl silence query lists them)');
      for (const n of positionals) if (!OBJECT_NAME.test(n)) throw new UsageError(`${JSON.stringify(n)} is not a silence name`);
      for (const name of await expireSilences(hostKubeconfig(v), positionals, new Date())) say(`${name} expired`);
    },
  };
}

const SILENCE_USAGE = `Silences on the host, with amtool's verbs.

usage: heraldctl silence add|query|expire …   (heraldctl silence COMMAND --help for its flags)

  add      mute matching notifications for a while
  query    list silences
  expire   end silences now`;

export function silenceCommands(): { summary: string; usage: string; subcommands: Record<string, Command> } {
  return { summary: 'add, list and expire silences (amtool verbs)', usage: SILENCE_USAGE, subcommands: { add: add(), query: query(), expire: expire() } };
}
