/**
 * One error shape for every API answer: `{status, error, message}`. 4xx say what is wrong with
 * the request; 5xx say nothing about internals (they are logged instead).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics.js';

export interface ApiError {
  status: number;
  error: string;
  message: string;
}

/** Maps fastify's and the JSON bounds' error codes to a status, a reason label for metrics and a message (else the error's own). */
const KNOWN: Record<string, [number, string, string?]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'media_type', 'Content-Type must be application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'request body is larger than the limit (--body-limit)'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty', 'request body is empty'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_length', 'Content-Length does not match the body'],
  HERALD_TOO_MANY_VALUES: [413, 'too_many_values'],
  HERALD_TOO_DEEP: [400, 'too_deep'],
};

export function apiError(status: number, error: string, message: string): ApiError {
  return { status, error, message };
}

/** The answer to a failed request (pure): 4xx say what is wrong, 5xx nothing of the internals. */
function answerFor(err: FastifyError): ApiError {
  const known = err.code ? KNOWN[err.code] : undefined;
  if (known) return apiError(known[0], known[1], known[2] ?? err.message);
  if (err.validation) return apiError(400, 'invalid', `${err.validationContext ?? 'body'}${err.message.replace(/^body/, '')}`);
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return apiError(400, 'malformed_json', `malformed JSON: ${err.message}`);
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return apiError(err.statusCode, 'bad_request', err.message);
  return apiError(500, 'internal', 'internal error; see the agent log');
}

/** Every 4xx answer is counted and (rate-limited by the caller) logged, so a refused sender can be found. */
export function errorHandler(metrics: Metrics | undefined, refused?: (request: FastifyRequest, status: number, message: string) => void) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const body = answerFor(err);
    const reason = body.error;
    if (body.status >= 500) request.log.error({ err }, 'request failed');
    else {
      metrics?.rejected.inc({ reason });
      refused?.(request, body.status, body.message);
    }
    void reply.status(body.status).send(body);
  };
}
