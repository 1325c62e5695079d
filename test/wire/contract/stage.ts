/**
 * The channel contract's fixtures (contract.wire.test.ts): each case stages a local server that
 * answers one scenario the way the channel's API (or a gateway in front of it) does. Replies to a
 * failed delivery echo the whole request, credentials included, so a notifier that quotes a reply
 * without redacting it leaks in the test.
 */
import type { Channel, SMS_PROVIDERS } from '@herald/shared';
import type { FailureReason } from '../../../member/src/notify/failure-reason.js';
import type { Notifier, SendResult } from '../../../member/src/notify/notifier.js';
import { sendContext, type ContextOptions } from '../context.js';
import { json, startHttpServer, type RecordedRequest, type Reply } from '../http-server.js';

/**
 * accepted: the provider's success answer; unavailable: 503; rateLimited: 429 with Retry-After 7;
 * throttled: the provider's own throttling, where it is not that 429; badRequest: a refused
 * request; refused: refused credentials; silent: no answer at all.
 */
export type Scenario = 'accepted' | 'unavailable' | 'rateLimited' | 'throttled' | 'badRequest' | 'refused' | 'silent';
export type FailureScenario = Exclude<Scenario, 'accepted' | 'silent'>;

export interface Outcome {
  retryable: boolean;
  reason: FailureReason;
  retryAfterMs?: number | undefined;
}

/** The provider's own throttling answer, and the wait it should give. */
interface Throttling {
  retryAfterMs: number | undefined;
  /** For a wait computed from a clock time (a reset at a Unix second). */
  toleranceMs?: number;
}

type Notifiers = Partial<Record<Channel, Notifier>>;

/** One server set up for one scenario. */
export interface Stage {
  send(notifiers: Notifiers, signal: AbortSignal): Promise<SendResult>;
  /** The case's credentials and those its requests carried (signatures, issued tokens). */
  secrets(): string[];
  /** The bodies of the scenario's replies to the delivery, in order (setup replies are not counted). */
  served(): string[];
  /** How many delivery requests reached the scenario's script (answered or left hanging). */
  deliveries(): number;
  close(): Promise<void>;
}

export interface ContractCase {
  /** e.g. `wechat chatbot`. */
  name: string;
  channel: Channel;
  /** The SMS provider of an sms case. */
  provider?: (typeof SMS_PROVIDERS)[number];
  throttled?: Throttling;
  /** Where the channel's API cannot meet the contract's outcome; each entry says why. */
  differs?: Partial<Record<FailureScenario, Partial<Outcome>>>;
  stage(scenario: Scenario): Promise<Stage>;
}

/** Headers every request has; the rest (credentials among them) go in the echo. */
const PLAIN_HEADERS = new Set(['host', 'connection', 'content-length', 'content-type', 'user-agent', 'accept', 'accept-encoding']);

/**
 * The request as one line: request line, headers (Authorization first), body. Credentials come
 * early: notifiers quote only a reply's start.
 */
function echoOf(req: RecordedRequest): string {
  const headers = Object.entries(req.headers)
    .filter(([name]) => !PLAIN_HEADERS.has(name))
    .sort(([a], [b]) => Number(b === 'authorization') - Number(a === 'authorization'))
    .map(([name, value]) => `${name}: ${String(value)}`);
  return [`${req.method} ${req.url}`, ...headers, req.body].join(' | ').slice(0, 2000);
}

export interface HttpCase<C extends Channel> {
  name: string;
  channel: C;
  provider?: ContractCase['provider'];
  /** The distinctive credentials the case configures. */
  secrets: readonly string[];
  /** The receiver (and Config) of a send to the server at `origin`. */
  target(origin: string): Omit<ContextOptions<C>, 'channel' | 'signal'>;
  /** Answers the requests before the delivery (token fetches) in every scenario; undefined for the delivery. */
  setup?(req: RecordedRequest): Reply | undefined;
  /** Credentials a request carried that the case did not choose (signatures, tokens the server issued). */
  carried?(req: RecordedRequest): Array<string | undefined>;
  accepted(req: RecordedRequest): Reply;
  badRequest(echo: string): Reply;
  refused(echo: string): Reply;
  /** The provider's own throttling answer (it quotes nothing back). */
  throttled?: Throttling & { reply(): Reply };
  differs?: ContractCase['differs'];
}

/** The reply of a scenario to the delivery request; undefined is no answer. */
function scripted<C extends Channel>(c: HttpCase<C>, scenario: Scenario, req: RecordedRequest): Reply | undefined {
  const echo = echoOf(req);
  switch (scenario) {
    case 'accepted':
      return c.accepted(req);
    case 'unavailable':
      return { status: 503, headers: { 'content-type': 'text/plain' }, body: echo };
    case 'rateLimited':
      return json(429, { message: echo }, { 'retry-after': '7' });
    case 'throttled':
      if (!c.throttled) throw new Error(`${c.name} has no throttled scenario`);
      return c.throttled.reply();
    case 'badRequest':
      return c.badRequest(echo);
    case 'refused':
      return c.refused(echo);
    case 'silent':
      return undefined;
  }
}

export function httpCase<C extends Channel>(c: HttpCase<C>): ContractCase {
  return {
    name: c.name,
    channel: c.channel,
    ...(c.provider ? { provider: c.provider } : {}),
    ...(c.throttled ? { throttled: c.throttled } : {}),
    ...(c.differs ? { differs: c.differs } : {}),
    async stage(scenario) {
      const served: string[] = [];
      const carried: string[] = [];
      const server = await startHttpServer({
        handler: (req) => {
          carried.push(...(c.carried?.(req) ?? []).filter((s): s is string => s !== undefined && s !== ''));
          const setup = c.setup?.(req);
          if (setup) return setup;
          const reply = scripted(c, scenario, req);
          served.push(reply?.body ?? '');
          return reply;
        },
      });
      return {
        send: (notifiers, signal) => {
          const notifier = notifiers[c.channel];
          if (!notifier) throw new Error(`the registry has no ${c.channel} notifier`);
          return notifier.send(sendContext({ channel: c.channel, ...c.target(server.origin), signal }));
        },
        secrets: () => [...c.secrets, ...carried],
        served: () => served,
        deliveries: () => served.length,
        close: () => server.close(),
      };
    },
  };
}
