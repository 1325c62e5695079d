/**
 * The body the API server's audit webhook backend posts: an audit.k8s.io/v1 EventList. What Herald
 * reads is checked, and what an audit event carries at the Metadata level is declared too, so such
 * a body is stored as sent; anything else (requestObject, responseObject) is dropped at ingest.
 *
 * Strings and lists a client controls carry no length limits of their own (the body limit bounds
 * them): sourceIPs holds every X-Forwarded-For entry, requestURI and objectRef come from the URL,
 * impersonatedUser from a header. A limit here would turn one crafted request into a 400 for the
 * whole batch, which the API server drops without retrying: anyone could hide other requests,
 * their own Secret read included, from the Audit Rules. Values are cut where they become labels.
 */
import { Type, type Static } from '@sinclair/typebox';

const MAX_AUDIT_EVENTS_PER_REQUEST = 10_000;

const Text = Type.String();

const AuditUser = Type.Object({
  username: Type.Optional(Text),
  uid: Type.Optional(Text),
  groups: Type.Optional(Type.Array(Text)),
});

export const AuditEvent = Type.Object({
  kind: Type.Optional(Text),
  apiVersion: Type.Optional(Text),
  level: Type.Optional(Text),
  auditID: Type.String({ minLength: 1 }),
  stage: Type.String({ minLength: 1 }),
  requestURI: Type.Optional(Text),
  verb: Type.String({ minLength: 1 }),
  user: AuditUser,
  impersonatedUser: Type.Optional(AuditUser),
  sourceIPs: Type.Optional(Type.Array(Text)),
  userAgent: Type.Optional(Text),
  objectRef: Type.Optional(
    Type.Object({
      resource: Type.Optional(Text),
      namespace: Type.Optional(Text),
      name: Type.Optional(Text),
      apiGroup: Type.Optional(Text),
      apiVersion: Type.Optional(Text),
      subresource: Type.Optional(Text),
    }),
  ),
  responseStatus: Type.Optional(
    Type.Object({
      metadata: Type.Optional(Type.Object({})),
      code: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
      status: Type.Optional(Text),
      reason: Type.Optional(Text),
      message: Type.Optional(Text),
    }),
  ),
  requestReceivedTimestamp: Type.Optional(Text),
  stageTimestamp: Type.Optional(Text),
  annotations: Type.Optional(Type.Record(Type.String(), Text)),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditEventList = Type.Object({
  kind: Type.Optional(Type.Literal('EventList')),
  apiVersion: Type.Optional(Type.String({ pattern: '^audit\\.k8s\\.io/', maxLength: 64 })),
  metadata: Type.Optional(Type.Object({})),
  items: Type.Array(AuditEvent, { maxItems: MAX_AUDIT_EVENTS_PER_REQUEST }),
});
export type AuditEventList = Static<typeof AuditEventList>;
