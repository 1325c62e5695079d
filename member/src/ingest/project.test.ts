import { describe, expect, it } from 'vitest';
import { AlertmanagerPayload } from './alertmanager-schema.js';
import { AuditEventList } from './audit-schema.js';
import { declaredOnly } from './project.js';

describe('declaredOnly', () => {
  it('returns the same object when everything is declared (nothing to copy)', () => {
    const body = { version: '4', status: 'firing' as const, alerts: [{ labels: { a: 'b' }, annotations: { x: 'y' }, startsAt: 't' }] };
    expect(declaredOnly(AlertmanagerPayload, body)).toBe(body);
  });

  it('drops undeclared fields at every level, keeping every label and annotation', () => {
    const body = { version: '4', extra: [[[1]]], alerts: [{ labels: { a: 'b', 'any-key': 'kept' }, unknown: { deep: true }, startsAt: 't' }] };
    const kept = declaredOnly(AlertmanagerPayload, body as unknown as AlertmanagerPayload);
    expect(kept).toEqual({ version: '4', alerts: [{ labels: { a: 'b', 'any-key': 'kept' }, startsAt: 't' }] });
    expect(body.extra).toEqual([[[1]]]);
  });

  it('takes request and response bodies out of audit events, and keeps what the Metadata level has', () => {
    const event = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'a', stage: 'ResponseComplete', verb: 'get', user: { username: 'alice' }, annotations: { d: 'allow' }, requestObject: { data: { password: 'cGFzcw==' } }, responseObject: { kind: 'Secret' } };
    const kept = declaredOnly(AuditEventList, { kind: 'EventList', items: [event] } as unknown as AuditEventList);
    expect(kept.items[0]).toEqual({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'a', stage: 'ResponseComplete', verb: 'get', user: { username: 'alice' }, annotations: { d: 'allow' } });
  });
});
