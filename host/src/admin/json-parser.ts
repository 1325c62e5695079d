/**
 * The admin API's JSON bodies: bounded before they are parsed (the agent's bounds: nesting,
 * values, members of one object), parsed with `__proto__` keys refused, so nothing a caller sends
 * costs more to read than its size says or reaches an object's prototype.
 */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_JSON_BOUNDS, jsonBoundsProblem } from '@herald/shared/json-bounds';

type Done = (err: Error | null, body?: unknown) => void;

const failure = (message: string, statusCode: number): Error => Object.assign(new Error(message), { statusCode });

const noProto = (key: string, value: unknown): unknown => {
  if (key === '__proto__') throw new SyntaxError('a "__proto__" key is not accepted');
  return value;
};

export function jsonParser(_request: FastifyRequest, body: string | Buffer, done: Done): void {
  const text = body.toString();
  if (text.length === 0) return done(failure('request body is empty', 400));
  const problem = jsonBoundsProblem(text, DEFAULT_JSON_BOUNDS);
  if (problem) return done(failure(problem.message, problem.kind === 'values' ? 413 : 400));
  try {
    done(null, JSON.parse(text, noProto));
  } catch (err) {
    done(failure(`malformed JSON: ${(err as Error).message}`, 400));
  }
}
