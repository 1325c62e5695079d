/** The agent's HTTP app with an empty configuration, for `POST /api/v2/verify` tests of channels (callers send ADMIN_HEADERS). */
import type { FastifyInstance } from 'fastify';
import type { Channel } from '@herald/shared';
import { buildApp } from '../../member/src/api/app.js';
import { buildSnapshot } from '../../member/src/config/snapshot.js';
import type { Notifier } from '../../member/src/notify/notifier.js';
import { Outbox } from '../../member/src/store/outbox.js';
import { openDb } from '../../member/src/store/schema.js';
import { rendererCache } from '../../member/src/template/cache.js';
import { testAuth } from '../support/auth.js';

const AUTH = testAuth();
/** The admin token's headers: verify is an admin route. */
export const ADMIN_HEADERS = AUTH.headers('admin');

export function verifyApp(notifiers: Partial<Record<Channel, Notifier>>): FastifyInstance {
  const snapshot = buildSnapshot({});
  return buildApp({
    outbox: new Outbox(openDb({ path: ':memory:' })),
    snapshot: () => snapshot,
    notifiers,
    renderer: rendererCache(),
    onAccepted: () => undefined,
    now: () => Date.now(),
    logLevel: 'silent',
    auth: AUTH.auth,
    namespace: 'herald-system',
    // The fake providers listen on loopback, which inline targets may not reach in production.
    inlineEgress: (settings) => settings,
  });
}
