import { describe, expect, it } from 'vitest';
import type { Credential } from '../api/common.js';
import { resolveCredential, secretRefsOf, type SecretLookup } from './credential.js';
import { usableByHerald } from './marks.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const secrets: Record<string, Record<string, string>> = {
  'herald-system/smtp': { password: b64('hunter2'), empty: '' },
  'team-a/slack': { token: b64('xoxb-密钥') },
};
const lookup: SecretLookup = (ns, name) => {
  const data = secrets[`${ns}/${name}`];
  return data ? { data } : undefined;
};
const ref = (name: string, key: string, namespace?: string): Credential => ({
  valueFrom: { secretKeyRef: { name, key, ...(namespace ? { namespace } : {}) } },
});

describe('resolveCredential', () => {
  it.each<[string, Credential | undefined, { value?: string; field?: string; reason?: string }]>([
    ['inline value', { value: 'abc' }, { value: 'abc' }],
    ['inline empty value is a value', { value: '' }, { value: '' }],
    ['secret in default namespace', ref('smtp', 'password'), { value: 'hunter2' }],
    ['secret in named namespace, UTF-8', ref('slack', 'token', 'team-a'), { value: 'xoxb-密钥' }],
    ['missing credential', undefined, { field: 'spec.email.authPassword', reason: 'is required' }],
    ['both set', { value: 'x', ...ref('smtp', 'password') }, { field: 'spec.email.authPassword', reason: 'exactly one of value or valueFrom must be set' }],
    ['neither set', {}, { field: 'spec.email.authPassword', reason: 'exactly one of value or valueFrom must be set' }],
    ['valueFrom without secretKeyRef', { valueFrom: {} as never }, { field: 'spec.email.authPassword.valueFrom', reason: 'secretKeyRef is required' }],
    ['secret not found', ref('nope', 'password'), { field: 'spec.email.authPassword.valueFrom.secretKeyRef', reason: 'Secret herald-system/nope not found' }],
    ['secret in another namespace is not found', ref('smtp', 'password', 'team-a'), { field: 'spec.email.authPassword.valueFrom.secretKeyRef', reason: 'Secret team-a/smtp not found' }],
    ['key missing', ref('smtp', 'pass'), { field: 'spec.email.authPassword.valueFrom.secretKeyRef', reason: 'Secret herald-system/smtp has no key "pass"' }],
    ['key empty', ref('smtp', 'empty'), { field: 'spec.email.authPassword.valueFrom.secretKeyRef', reason: 'key "empty" of Secret herald-system/smtp is empty' }],
  ])('%s', (_name, credential, want) => {
    const got = resolveCredential(credential, lookup, { field: 'spec.email.authPassword' });
    if (want.value !== undefined) {
      expect(got).toEqual({ ok: true, value: want.value });
    } else {
      expect(got).toEqual({ ok: false, field: want.field, reason: want.reason });
    }
  });

  it('honours a configured default namespace', () => {
    expect(resolveCredential(ref('slack', 'token'), lookup, { field: 'f', defaultNamespace: 'team-a' })).toEqual({
      ok: true,
      value: 'xoxb-密钥',
    });
  });

  it('never puts a secret value into an error', () => {
    const leaky: SecretLookup = () => ({ data: { other: b64('hunter2') } });
    const got = resolveCredential({ value: 'hunter2', ...ref('smtp', 'password') }, leaky, { field: 'f' });
    const got2 = resolveCredential(ref('smtp', 'password'), leaky, { field: 'f' });
    expect(JSON.stringify([got, got2])).not.toContain('hunter2');
  });
});

describe('secretRefsOf', () => {
  it('finds every referenced Secret once, defaulting the namespace', () => {
    const spec = {
      email: { authPassword: ref('smtp', 'password'), tls: { rootCA: ref('smtp', 'ca'), clientCertificate: { cert: ref('certs', 'crt', 'team-a'), key: { value: 'inline' } } } },
      slack: [{ slackTokenSecret: ref('slack', 'token', 'team-a') }],
    };
    expect(secretRefsOf(spec).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { namespace: 'team-a', name: 'certs' },
      { namespace: 'team-a', name: 'slack' },
      { namespace: 'herald-system', name: 'smtp' },
    ]);
  });

  it("finds a webhook's urlFrom Secret, so the host copies it to members", () => {
    const receiverSpec = { webhook: { urlFrom: { secretKeyRef: { name: 'hook-url', key: 'url' } }, httpConfig: { bearerToken: ref('hook', 'token', 'team-a') } } };
    expect(secretRefsOf(receiverSpec, 'herald-system')).toEqual([
      { namespace: 'herald-system', name: 'hook-url' },
      { namespace: 'team-a', name: 'hook' },
    ]);
  });
});

describe('usableByHerald', () => {
  const copy = (annotation: string) => ({ name: 'smtp', namespace: 'herald-system', labels: { 'app.kubernetes.io/managed-by': 'herald' }, annotations: { 'herald.dev/copied-from': annotation } });
  it('takes the host’s marked copies and Secrets offered by label, nothing else', () => {
    expect(usableByHerald(copy('herald-system/smtp'))).toBe(true);
    expect(usableByHerald({ name: 'mine', namespace: 'herald-system', labels: { 'herald.dev/usable': 'true' } })).toBe(true);
    // The label alone (anyone may add it by hand), a copy of another Secret, no marks at all.
    expect(usableByHerald({ name: 'smtp', namespace: 'herald-system', labels: { 'app.kubernetes.io/managed-by': 'herald' } })).toBe(false);
    expect(usableByHerald(copy('herald-system/other'))).toBe(false);
    expect(usableByHerald({ name: 'herald-agent-ingest-token', namespace: 'herald-system' })).toBe(false);
    expect(usableByHerald({ name: 'x', namespace: 'herald-system', labels: { 'herald.dev/usable': 'yes' } })).toBe(false);
    expect(usableByHerald(undefined)).toBe(false);
  });
});
