/** Router, Silence and InhibitRule: where notifications go besides the tenant's own receivers, and what is muted. */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, LabelSelector, OneOrList, cel, type HeraldObject } from './common.js';
import { CONFIG_CHANNELS } from './config.js';
import { StringEnum } from './common.js';

const ChannelType = StringEnum(CONFIG_CHANNELS);

export const RouterSpec = Type.Object({
  enabled: Type.Optional(Type.Boolean({ description: 'Set false to pause this router; default true.' })),
  alertSelector: LabelSelector('Notifications this router applies to.'),
  receivers: Type.Object(
    {
      name: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 100 })),
      regexName: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Receivers whose whole name matches this RE2 regular expression.' })),
      selector: Type.Optional(LabelSelector('Receivers whose labels match.')),
      type: Type.Optional(OneOrList(ChannelType, { maxItems: 10, description: 'Only these channels of them: one (type: email) or a list.' })),
      channels: Type.Optional(
        Type.Array(
          Type.Object({
            tenant: Type.String({ minLength: 1, maxLength: 253, description: "The tenant's receivers." }),
            type: Type.Optional(OneOrList(ChannelType, { maxItems: 10, description: "Only these channels of the tenant's receivers: one or a list." })),
          }),
          { maxItems: 100 },
        ),
      ),
    },
    cel({
      rule: 'has(self.name) || has(self.regexName) || has(self.selector) || has(self.channels)',
      message: 'receivers must name at least one of name, regexName, selector or channels',
    }),
  ),
});
export type RouterSpec = Static<typeof RouterSpec>;
export type Router = HeraldObject<'Router', RouterSpec>;

export const SilenceSpec = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'Set false to lift the silence; default true.' })),
    matcher: LabelSelector('Notifications this silence mutes.'),
    startsAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the silence begins.' })),
    schedule: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'Cron schedule of the start of each window.' }),
    ),
    duration: Type.Optional(Duration('How long the silence lasts (after startsAt, or after each schedule tick).')),
  },
  cel({ rule: '!has(self.schedule) || has(self.duration)', message: 'a schedule needs a duration', fieldPath: '.duration' }),
);
export type SilenceSpec = Static<typeof SilenceSpec>;
export type Silence = HeraldObject<'Silence', SilenceSpec>;

/**
 * InhibitRule: Alertmanager's inhibition. While an Alertmanager alert matching `sourceMatch`
 * fires, notifications matching `targetMatch` whose `equal` labels have the same values (a label
 * missing on both sides counts as equal) are muted. Scoped like a Silence: `type: global` mutes
 * for every receiver, `type: tenant` with the tenant label only for that tenant's receivers.
 */
export const InhibitRuleSpec = Type.Object({
  enabled: Type.Optional(Type.Boolean({ description: 'Set false to lift the rule; default true.' })),
  sourceMatch: LabelSelector('Alertmanager alerts that, while firing, mute the targets.'),
  targetMatch: LabelSelector('Notifications muted while a source fires.'),
  equal: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 317 }), {
      maxItems: 32,
      'x-kubernetes-list-type': 'set',
      description: 'Labels whose values must be the same in the source and the target (missing on both counts as the same).',
    }),
  ),
});
export type InhibitRuleSpec = Static<typeof InhibitRuleSpec>;
export type InhibitRule = HeraldObject<'InhibitRule', InhibitRuleSpec>;
