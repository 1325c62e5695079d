import { describe, expect, it } from 'vitest';
import { inlineRefusals, shortReason } from './verify.js';

describe('inlineRefusals', () => {
  it('finds every way an inline spec could name a Secret or a proxy, by path', () => {
    const spec = {
      webhook: { urlFrom: { secretKeyRef: { name: 'u', key: 'k' } }, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 't', key: 'k' } } } } },
      slack: { channels: ['#a'] },
      sms: { providers: [{ key: { secretKeyRef: { name: 's', key: 'k' } } }] },
    };
    expect(inlineRefusals(spec, 'receiver.spec')).toEqual([
      { path: 'receiver.spec.webhook.urlFrom', secret: true },
      { path: 'receiver.spec.webhook.httpConfig.bearerToken.valueFrom', secret: true },
      { path: 'receiver.spec.sms.providers[0].key.secretKeyRef', secret: true },
    ]);
    expect(inlineRefusals({ webhook: { url: 'http://x', httpConfig: { proxyUrl: 'http://10.0.0.1:3128' } } }, 'r')).toEqual([{ path: 'r.webhook.httpConfig.proxyUrl', secret: false }]);
    expect(inlineRefusals({ email: { to: ['a@b'] }, webhook: { httpConfig: { bearerToken: { value: 'inline' } } } }, 'r')).toEqual([]);
  });
});

describe('shortReason', () => {
  it('keeps a short answer as it is', () => {
    expect(shortReason('HTTP 200 {"ok":true}')).toBe('HTTP 200 {"ok":true}');
  });

  it('shortens URLs to scheme and host, keeping what follows them', () => {
    expect(shortReason('POST http://10.0.0.7:8080/internal/admin?x=<redacted>: HTTP 500 oops')).toBe('POST http://10.0.0.7:8080: HTTP 500 oops');
  });

  it('cuts at 160 characters, marking the cut', () => {
    const long = `HTTP 200 ${'secret-page-content '.repeat(50)}`;
    const cut = shortReason(long);
    expect(cut).toHaveLength(160);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.startsWith('HTTP 200 secret-page-content')).toBe(true);
  });
});
