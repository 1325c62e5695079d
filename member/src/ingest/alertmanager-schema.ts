/** The Alertmanager webhook (v4) body schema: validated at ingest (kept apart from normalization, which the pipeline thread loads). */
import { Type, type Static } from '@sinclair/typebox';

const LabelMap = Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 65536 }));
const StatusSchema = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);

const AlertSchema = Type.Object({
  status: Type.Optional(StatusSchema),
  labels: LabelMap,
  annotations: Type.Optional(LabelMap),
  startsAt: Type.Optional(Type.String({ maxLength: 64 })),
  endsAt: Type.Optional(Type.String({ maxLength: 64 })),
  generatorURL: Type.Optional(Type.String({ maxLength: 8192 })),
  fingerprint: Type.Optional(Type.String({ maxLength: 128 })),
});

export const AlertmanagerPayload = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 16 })),
  groupKey: Type.Optional(Type.String({ maxLength: 65536 })),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Optional(StatusSchema),
  receiver: Type.Optional(Type.String({ maxLength: 1024 })),
  groupLabels: Type.Optional(LabelMap),
  commonLabels: Type.Optional(LabelMap),
  commonAnnotations: Type.Optional(LabelMap),
  externalURL: Type.Optional(Type.String({ maxLength: 8192 })),
  // No count cap: the body limit and the JSON bounds (shared/json-bounds) bound the work, and
  // Alertmanager sends a whole group in one request (large groups pass 10,000 alerts).
  alerts: Type.Array(AlertSchema, { minItems: 1 }),
});
export type AlertmanagerPayload = Static<typeof AlertmanagerPayload>;
