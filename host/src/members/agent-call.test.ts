import { describe, expect, it } from 'vitest';
import { answerOf, proxyPath } from './agent-call.js';

describe('proxyPath', () => {
  it('goes through the herald-agent Service’s http port, with the scheme the agent serves', () => {
    expect(proxyPath('http', '/api/v2/history?limit=5')).toBe('/api/v1/namespaces/herald-system/services/http:herald-agent:http/proxy/api/v2/history?limit=5');
    expect(proxyPath('https', '/api/v2/verify')).toBe('/api/v1/namespaces/herald-system/services/https:herald-agent:http/proxy/api/v2/verify');
  });
});

describe('answerOf', () => {
  it('tells the API server’s own errors from the agent’s answers', () => {
    expect(answerOf(503, JSON.stringify({ kind: 'Status', message: 'no endpoints available for service "herald-agent"' }))).toEqual({ apiServer: 'HTTP 503: no endpoints available for service "herald-agent"' });
    expect(answerOf(404, JSON.stringify({ status: 404, error: 'not_found', message: 'no receiver named x' }))).toEqual({ status: 404, body: { status: 404, error: 'not_found', message: 'no receiver named x' } });
    expect(answerOf(502, 'Bad Gateway')).toEqual({ apiServer: 'HTTP 502: Bad Gateway' });
    expect(answerOf(200, '<html>')).toEqual({ apiServer: 'the agent answered with something that is not JSON' });
  });
});
