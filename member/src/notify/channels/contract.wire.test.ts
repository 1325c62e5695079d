/**
 * One contract, run over the notifier of every channel the registry makes (as Alertmanager runs
 * RetryTests and AssertNotifyLeaksNoSecret over its notifiers), each against a local server that
 * answers as the channel's API does (test/wire/contract/): the success answer is accepted; a 5xx
 * and a 429 are retried, the 429 after its Retry-After; other 4xx are terminal with their reason;
 * no credential shows in an error or an answer, though every failure reply quotes the request;
 * an aborted send stops at once.
 */
import { describe, expect, it } from 'vitest';
import { SMS_PROVIDERS } from '@herald/shared';
import type { DeliveryError } from '../notifier.js';
import { createNotifiers } from '../registry.js';
import { deliveryErrorOf } from '../../../../test/wire/context.js';
import { APP_CASES } from '../../../../test/wire/contract/cases-app.js';
import { HTTP_CASES } from '../../../../test/wire/contract/cases-http.js';
import { SMS_CASES } from '../../../../test/wire/contract/cases-sms.js';
import { EMAIL_CASE } from '../../../../test/wire/contract/case-email.js';
import type { ContractCase, FailureScenario, Outcome, Scenario, Stage } from '../../../../test/wire/contract/stage.js';

const CASES: readonly ContractCase[] = [...HTTP_CASES, ...APP_CASES, ...SMS_CASES, EMAIL_CASE];

const CONTRACT: Readonly<Record<FailureScenario, Outcome>> = {
  unavailable: { retryable: true, reason: 'server-error' },
  rateLimited: { retryable: true, reason: 'rate-limited', retryAfterMs: 7000 },
  throttled: { retryable: true, reason: 'rate-limited' },
  badRequest: { retryable: false, reason: 'client-error' },
  refused: { retryable: false, reason: 'auth' },
};

/** Scenarios whose replies quote the request (a provider's own throttling answer quotes nothing). */
const QUOTING: ReadonlySet<Scenario> = new Set(['unavailable', 'rateLimited', 'badRequest', 'refused']);
/** Notifiers quote the start of a reply: httpAnswer keeps 200 characters of the body. */
const QUOTED_CHARS = 200;
/** Far below any built-in timeout (undici's 300 s, nodemailer's 30 s greeting): only the abort can end the send this soon. */
const ABORT_BOUND_MS = 20_000;

function expected(c: ContractCase, scenario: FailureScenario): Outcome {
  const own = scenario === 'throttled' ? { retryAfterMs: c.throttled?.retryAfterMs } : {};
  return { ...CONTRACT[scenario], ...own, ...c.differs?.[scenario] };
}

function failuresOf(c: ContractCase): FailureScenario[] {
  return ['unavailable', 'rateLimited', ...(c.throttled ? (['throttled'] as const) : []), 'badRequest', 'refused'];
}

async function withStage(c: ContractCase, scenario: Scenario, run: (stage: Stage) => Promise<void>): Promise<void> {
  const stage = await c.stage(scenario);
  try {
    await run(stage);
    // The scenario's own reply decided the outcome, not something before it.
    expect(stage.deliveries(), 'delivery requests that reached the scenario').toBeGreaterThan(0);
  } finally {
    await stage.close();
  }
}

/** No credential, raw or URL-encoded, in any of the texts. */
function expectNoCredential(texts: Record<string, string | undefined>, secrets: readonly string[]): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) expect(text ?? '', `${where} shows a credential`).not.toContain(form);
    }
  }
}

const errorTexts = (err: DeliveryError): Record<string, string | undefined> => ({ message: err.message, string: String(err), json: JSON.stringify(err), stack: err.stack });

describe('the channel contract', () => {
  it('has a case for every channel the registry knows, and for every SMS provider', () => {
    const sorted = (values: Iterable<string | undefined>): string[] => [...new Set(values)].map(String).sort();
    expect(sorted(CASES.map((c) => c.channel))).toEqual(sorted(Object.keys(createNotifiers())));
    expect(sorted(CASES.filter((c) => c.channel === 'sms').map((c) => c.provider))).toEqual(sorted(SMS_PROVIDERS));
  });

  describe.each(CASES)('$name', (c) => {
    it('accepts the success answer, and the answer holds no credential', async () => {
      await withStage(c, 'accepted', async (stage) => {
        const result = await stage.send(createNotifiers(), AbortSignal.timeout(ABORT_BOUND_MS));
        expect(result.messages).toBeGreaterThan(0);
        expectNoCredential({ answer: result.answer }, stage.secrets());
      });
    });

    it.each(failuresOf(c))('%s: classified, and no credential in the error', async (scenario) => {
      const want = expected(c, scenario);
      await withStage(c, scenario, async (stage) => {
        const err = await deliveryErrorOf(stage.send(createNotifiers(), AbortSignal.timeout(ABORT_BOUND_MS)));
        expect({ retryable: err.retryable, reason: err.reason }, err.message).toEqual({ retryable: want.retryable, reason: want.reason });
        if ('retryAfterMs' in want) {
          const tolerance = scenario === 'throttled' ? (c.throttled?.toleranceMs ?? 0) : 0;
          if (want.retryAfterMs === undefined || tolerance === 0) expect(err.retryAfterMs, 'retryAfterMs').toBe(want.retryAfterMs);
          else expect(Math.abs((err.retryAfterMs ?? Number.NaN) - want.retryAfterMs), 'retryAfterMs off by').toBeLessThanOrEqual(tolerance);
        }
        if (QUOTING.has(scenario)) {
          // Not vacuous: the reply did quote a credential where a notifier would quote the reply.
          const quoted = stage.served().some((body) => stage.secrets().some((s) => body.slice(0, QUOTED_CHARS).includes(s)));
          expect(quoted, 'the reply quotes a credential').toBe(true);
        }
        expectNoCredential(errorTexts(err), stage.secrets());
      });
    });

    it('silent: an aborted send rejects promptly, as a retryable timeout', async () => {
      await withStage(c, 'silent', async (stage) => {
        const started = performance.now();
        const err = await deliveryErrorOf(stage.send(createNotifiers(), AbortSignal.timeout(200)));
        expect(performance.now() - started).toBeLessThan(ABORT_BOUND_MS);
        expect({ retryable: err.retryable, reason: err.reason }, err.message).toEqual({ retryable: true, reason: 'timeout' });
        expectNoCredential(errorTexts(err), stage.secrets());
      });
    });
  });
});
