import { describe, expect, it } from 'vitest';
import { secretReferences, shortReason } from './verify.js';

describe('secretReferences', () => {
  it('finds every way an inline spec could name a Secret, by path', () => {
    const spec = {
      webhook: { urlFrom: { secretKeyRef: { name: 'u', key: 'k' } }, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 't', key: 'k' } } } } },
      slack: { channels: ['#a'] },
      sms: { providers: [{ key: { secretKeyRef: { name: 's', key: 'k' } } }] },
    };
    expect(secretReferences(spec, 'receiver.spec')).toEqual([
      'receiver.spec.webhook.urlFrom',
      'receiver.spec.webhook.httpConfig.bearerToken.valueFrom',
      'receiver.spec.sms.providers[0].key.secretKeyRef',
    ]);
    expect(secretReferences({ email: { to: ['a@b'] }, webhook: { httpConfig: { bearerToken: { value: 'inline' } } } }, 'r')).toEqual([]);
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
