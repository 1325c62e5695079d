/** Rule: which Kubernetes Events and API-server audit events become notifications. */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, StringEnum, StringMap, cel, type HeraldObject } from './common.js';

const List = (description: string, maxItems = 64) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems, description }));

export const EventMatch = Type.Object(
  {
    type: Type.Optional(Type.Array(StringEnum(['Normal', 'Warning'] as const), { maxItems: 2 })),
    reasons: List('Event reasons, e.g. BackOff, FailedScheduling.'),
    involvedObject: Type.Optional(
      Type.Object({ kinds: List('Kinds, e.g. Pod.'), names: List('Names.'), namespaces: List('Namespaces.') }),
    ),
    reportingControllers: List('Reporting controllers, e.g. kubelet.'),
    messageRegex: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'RE2 regex searched in the message.' })),
  },
  { description: 'Which Events match; every given field must match.' },
);

export const AuditMatch = Type.Object(
  {
    stages: Type.Optional(
      Type.Array(StringEnum(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const), {
        maxItems: 4,
      }),
    ),
    verbs: List('Verbs, e.g. create, delete, get.'),
    resources: Type.Optional(
      Type.Array(
        Type.Object({
          group: Type.Optional(Type.String({ maxLength: 253, description: 'API group; "" is the core group.' })),
          resource: Type.String({ minLength: 1, maxLength: 253 }),
          subresource: Type.Optional(Type.String({ maxLength: 253 })),
        }),
        { maxItems: 64 },
      ),
    ),
    namespaces: List('Namespaces.'),
    names: List('Object names.'),
    users: List('User names.'),
    userGroups: List('Groups; any one of them matches.'),
    userRegex: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'RE2 regex searched in the user name, e.g. ^(sam|ana)$.' }),
    ),
    userAgentRegex: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'RE2 regex searched in the user agent.' })),
    responseCodes: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { maxItems: 64 })),
  },
  { description: 'Which audit events match; every given field must match.' },
);

export const RuleSpec = Type.Object(
  {
    source: StringEnum(['Event', 'Audit'] as const, { description: 'What the rule watches.' }),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    event: Type.Optional(EventMatch),
    audit: Type.Optional(AuditMatch),
    severity: Type.Optional(StringEnum(['critical', 'error', 'warning', 'info'] as const)),
    labels: Type.Optional(StringMap({ description: 'Labels added to the notification.' })),
    annotations: Type.Optional(StringMap({ description: 'Annotations added to the notification.' })),
    rateLimit: Type.Optional(
      Type.Object({
        count: Type.Integer({ minimum: 1, maximum: 100000 }),
        per: Duration('Window of the rate limit.'),
      }),
    ),
  },
  cel(
    { rule: "self.source == 'Event' || !has(self.event)", message: 'event applies only to source Event', fieldPath: '.event' },
    { rule: "self.source == 'Audit' || !has(self.audit)", message: 'audit applies only to source Audit', fieldPath: '.audit' },
  ),
);
export type RuleSpec = Static<typeof RuleSpec>;
export type Rule = HeraldObject<'Rule', RuleSpec>;
