/**
 * The body the API server's audit webhook backend posts: an audit.k8s.io/v1 EventList. Only what
 * Herald reads is checked; the rest (requestObject, annotations, …) is accepted as sent.
 */
import { Type, type Static } from '@sinclair/typebox';

export const MAX_AUDIT_EVENTS_PER_REQUEST = 10_000;

const Name = Type.String({ maxLength: 1024 });

export const AuditUser = Type.Object({
  username: Type.Optional(Name),
  uid: Type.Optional(Name),
  groups: Type.Optional(Type.Array(Name, { maxItems: 1024 })),
});

export const AuditEvent = Type.Object({
  level: Type.Optional(Type.String({ maxLength: 64 })),
  auditID: Type.String({ minLength: 1, maxLength: 256 }),
  stage: Type.String({ minLength: 1, maxLength: 64 }),
  requestURI: Type.Optional(Type.String({ maxLength: 65536 })),
  verb: Type.String({ minLength: 1, maxLength: 64 }),
  user: AuditUser,
  impersonatedUser: Type.Optional(AuditUser),
  sourceIPs: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 64 })),
  userAgent: Type.Optional(Type.String({ maxLength: 4096 })),
  objectRef: Type.Optional(
    Type.Object({
      resource: Type.Optional(Name),
      namespace: Type.Optional(Name),
      name: Type.Optional(Name),
      apiGroup: Type.Optional(Name),
      apiVersion: Type.Optional(Name),
      subresource: Type.Optional(Name),
    }),
  ),
  responseStatus: Type.Optional(
    Type.Object({
      code: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
      status: Type.Optional(Type.String({ maxLength: 64 })),
      reason: Type.Optional(Type.String({ maxLength: 1024 })),
      message: Type.Optional(Type.String({ maxLength: 65536 })),
    }),
  ),
  requestReceivedTimestamp: Type.Optional(Type.String({ maxLength: 64 })),
  stageTimestamp: Type.Optional(Type.String({ maxLength: 64 })),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditEventList = Type.Object({
  kind: Type.Optional(Type.Literal('EventList')),
  apiVersion: Type.Optional(Type.String({ pattern: '^audit\\.k8s\\.io/', maxLength: 64 })),
  items: Type.Array(AuditEvent, { maxItems: MAX_AUDIT_EVENTS_PER_REQUEST }),
});
export type AuditEventList = Static<typeof AuditEventList>;
