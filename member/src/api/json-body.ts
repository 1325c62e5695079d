/**
 * The agent's JSON body parser: the text is bounded (nesting, values) before it is parsed, parsed
 * with prototype keys refused, and kept as received, since that is what the outbox stores and
 * parsing twice would cost throughput.
 */
import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { jsonBoundsProblem, type JsonBounds } from '@herald/shared/json-bounds';

type Done = (err: Error | null, body?: unknown) => void;

const failure = (message: string, statusCode: number, code: string): Error => Object.assign(new Error(message), { statusCode, code });

export function jsonBody(bounds: JsonBounds): (request: FastifyRequest, body: string | Buffer, done: Done) => void {
  return (request, body, done) => {
    const text = body.toString();
    if (text.length === 0) return done(failure('request body is empty', 400, 'FST_ERR_CTP_EMPTY_JSON_BODY'));
    const problem = jsonBoundsProblem(text, bounds);
    if (problem) return done(problem.kind === 'values' ? failure(problem.message, 413, 'HERALD_TOO_MANY_VALUES') : failure(problem.message, 400, 'HERALD_TOO_DEEP'));
    try {
      // Refuses __proto__ and constructor.prototype keys (prototype poisoning), as fastify's own parser does.
      const parsed: unknown = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
      request.rawBody = text;
      done(null, parsed);
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }));
    }
  };
}
