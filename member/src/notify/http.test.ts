import { describe, expect, it } from 'vitest';
import { httpAnswer, queryTokensOf, redact, redactUrl } from './http.js';

describe('redactUrl', () => {
  it('keeps scheme, host and path; redacts userinfo and query values', () => {
    expect(redactUrl('https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1')).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=<redacted>&timestamp=<redacted>',
    );
    expect(redactUrl('http://user:pw@proxy.local:3128/')).toBe('http://<redacted>@proxy.local:3128/');
    expect(redactUrl('https://h/p?rawtoken#frag')).toBe('https://h/p?<redacted>');
    expect(redactUrl('not a url')).toBe('<redacted>');
  });
});

describe('redact', () => {
  it('removes secrets, raw or URL-encoded, and query strings of URLs in the text', () => {
    const text = 'failed: key=s3cr/t+1 at https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=s3cr%2Ft%2B1 (token s3cr/t+1)';
    const out = redact(text, ['s3cr/t+1']);
    expect(out).not.toMatch(/s3cr/);
    expect(out).toBe(
      'failed: key=<redacted> at https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted> (token <redacted>)',
    );
  });

  it('is idempotent', () => {
    const once = redact('see https://u:p@h/a/SECRET/b?t=1', ['SECRET']);
    expect(once).toBe('see https://<redacted>@h/a/<redacted>/b?t=<redacted>');
    expect(redact(once, ['SECRET'])).toBe(once);
  });

  it('redacts a derived value whole, though it holds a secret recorded before it', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/sns/aws4_request, Signature=f00dcafe';
    expect(redact(`HTTP 403 quoting ${header}`, ['AKIDEXAMPLE', header])).toBe('HTTP 403 quoting <redacted>');
  });

  it('ignores empty secrets', () => {
    expect(redact('abc', [''])).toBe('abc');
  });
});

describe('queryTokensOf', () => {
  it('is the decoded query values long enough to be tokens', () => {
    expect(queryTokensOf('https://h/robot/send?access_token=abc123def&timestamp=1&sig=s%2Fg%3D-0123')).toEqual(['abc123def', 's/g=-0123']);
    expect(queryTokensOf('https://h/p')).toEqual([]);
    expect(queryTokensOf('not a url')).toEqual([]);
  });
});

describe('httpAnswer', () => {
  it('is HTTP <status> and the first 200 characters of the body on one line', () => {
    expect(httpAnswer({ status: 200, body: '' }, [])).toBe('HTTP 200');
    expect(httpAnswer({ status: 200, body: '{\n "ok": true\n}' }, [])).toBe('HTTP 200 { "ok": true }');
    expect(httpAnswer({ status: 500, body: 'y'.repeat(300) }, [])).toBe(`HTTP 500 ${'y'.repeat(200)}`);
  });
});
