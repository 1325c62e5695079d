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

/** Maps fastify's own error codes to a status and a reason label for metrics. */
const KNOWN: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'media_type', 'Content-Type must be application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'request body is larger than the limit'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty', 'request body is empty'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_length', 'Content-Length does not match the body'],
};

export function apiError(status: number, error: string, message: string): ApiError {
  return { status, error, message };
}

export function errorHandler(metrics: Metrics | undefined) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const known = err.code ? KNOWN[err.code] : undefined;
    let body: ApiError;
    let reason: string;
    if (known) {
      [body, reason] = [apiError(known[0], known[1], known[2]), known[1]];
    } else if (err.validation) {
      [body, reason] = [apiError(400, 'invalid', `${err.validationContext ?? 'body'}${err.message.replace(/^body/, '')}`), 'invalid'];
    } else if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      [body, reason] = [apiError(400, 'malformed_json', `malformed JSON: ${err.message}`), 'malformed_json'];
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      [body, reason] = [apiError(err.statusCode, 'bad_request', err.message), 'bad_request'];
    } else {
      request.log.error({ err }, 'request failed');
      [body, reason] = [apiError(500, 'internal', 'internal error; see the agent log'), 'internal'];
    }
    if (body.status < 500) metrics?.rejected.inc({ reason });
    void reply.status(body.status).send(body);
  };
}
