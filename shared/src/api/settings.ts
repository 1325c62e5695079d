/**
 * Settings: the one object (named `default`) that tunes routing, grouping, templates and channel
 * options on a member. It carries Notification Manager's `spec.receivers`, batching, routePolicy,
 * template and history fields. The host injects `cluster` per member, so no member mislabels itself.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, LabelSelector, StringEnum, StringMap, type HeraldObject } from './common.js';
import { WebhookReceiver } from './receiver.js';

const Timeout = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 600, description: 'Seconds one send may take (notificationTimeout).' }),
);
const TemplateName = Type.Optional(Type.String({ maxLength: 253, description: 'Template for this channel.' }));
const TokenExpires = Type.Optional(Duration('How long an access token is cached.'));
const Throttle = Type.Object(
  {
    threshold: Type.Integer({ minimum: 1, maximum: 100000, description: 'Messages per unit.' }),
    unit: Duration('The throttle window.'),
    maxWaitTime: Type.Optional(Duration('Longest a message waits for a slot before the send is retried later.')),
  },
  { description: 'At most threshold messages per unit; excess messages wait, none are dropped.' },
);
const MaxSize = (description: string) => Type.Optional(Type.Integer({ minimum: 64, maximum: 1048576, description }));

export const ChannelOptions = Type.Object({
  global: Type.Optional(
    Type.Object({
      template: TemplateName,
      cluster: Type.Optional(Type.String({ maxLength: 253, description: 'Ignored on members: the host injects cluster.name.' })),
    }),
  ),
  email: Type.Optional(
    Type.Object({
      notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle),
      template: TemplateName,
      subjectTemplate: TemplateName,
      tmplType: Type.Optional(StringEnum(['html', 'text'] as const)),
      maxEmailReceivers: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Recipients per message.' })),
      deliveryType: Type.Optional(StringEnum(['bulk', 'single'] as const, { description: 'One message to all, or one each.' })),
    }),
  ),
  wechat: Type.Optional(
    Type.Object({
      notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle),
      template: TemplateName,
      tmplType: Type.Optional(StringEnum(['text', 'markdown'] as const)),
      messageMaxSize: MaxSize('Split messages larger than this many bytes (2048 by default).'),
      tokenExpires: TokenExpires,
    }),
  ),
  slack: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName })),
  webhook: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName })),
  dingtalk: Type.Optional(
    Type.Object({
      notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle),
      template: TemplateName,
      titleTemplate: TemplateName,
      tmplType: Type.Optional(StringEnum(['text', 'markdown'] as const)),
      tokenExpires: TokenExpires,
      conversationMessageMaxSize: MaxSize('Split conversation messages above this many bytes.'),
      chatbotMessageMaxSize: MaxSize('Split chatbot messages above this many bytes.'),
      chatBotThrottle: Type.Optional(Throttle),
      conversationThrottle: Type.Optional(Throttle),
    }),
  ),
  feishu: Type.Optional(
    Type.Object({
      notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle),
      template: TemplateName,
      tmplType: Type.Optional(StringEnum(['post', 'text'] as const)),
      tokenExpires: TokenExpires,
    }),
  ),
  discord: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName, titleTemplate: TemplateName })),
  telegram: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName })),
  pushover: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName, titleTemplate: TemplateName })),
  sms: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName })),
  teams: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName, titleTemplate: TemplateName })),
  pagerduty: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName, titleTemplate: TemplateName })),
  opsgenie: Type.Optional(Type.Object({ notificationTimeout: Timeout,
      throttle: Type.Optional(Throttle), template: TemplateName, titleTemplate: TemplateName })),
});

/** A CIDR block; the agent parses it exactly (a bad one is reported and denies every address). */
const Cidr = Type.String({
  pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$',
  maxLength: 64,
  description: 'An IPv4 or IPv6 CIDR block, e.g. 10.0.0.0/8 or fd00::/8.',
});

export const Egress = Type.Object(
  {
    deny: Type.Optional(
      Type.Array(Cidr, {
        maxItems: 256,
        description:
          'Addresses no send may connect to, checked on the address each connection resolves to (IPv4-mapped IPv6 counts as IPv4). Through a proxy, the proxy is what is checked.',
      }),
    ),
  },
  {
    description:
      'The outbound address policy for configured receivers. Default: nothing denied (in-cluster webhooks on private addresses are normal).',
  },
);

export const SettingsSpec = Type.Object({
  tenantKey: Type.Optional(
    Type.String({ minLength: 1, maxLength: 317, description: 'Label that names the tenant; default namespace.' }),
  ),
  globalReceiverSelector: Type.Optional(LabelSelector('Global receivers; default type=global.')),
  tenantReceiverSelector: Type.Optional(LabelSelector('Tenant receivers; default type=tenant.')),
  defaultConfigSelector: Type.Optional(LabelSelector('Default configs; default type=default.')),
  defaultSecretNamespace: Type.Optional(
    Type.String({ maxLength: 63, description: 'Namespace of Secrets whose reference names none; default herald-system.' }),
  ),
  tenantResolver: Type.Optional(
    Type.Object(
      {
        url: Type.String({ pattern: '^https?://', maxLength: 2048, description: 'GET ?cluster=&namespace= → JSON array of tenants.' }),
        timeout: Type.Optional(Duration('Timeout of one lookup.')),
        cacheTTL: Type.Optional(Duration('How long an answer is reused.')),
      },
      { description: 'Maps a namespace to tenants (Notification Manager tenant sidecar); none means namespace = tenant.' },
    ),
  ),
  routePolicy: Type.Optional(StringEnum(['All', 'RouterFirst', 'RouterOnly'] as const, { description: 'Default All.' })),
  groupLabels: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 317 }), {
      maxItems: 32,
      description: 'Notifications are grouped per receiver by these labels.',
    }),
  ),
  batchMaxSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Default 100.' })),
  batchMaxWait: Type.Optional(
    Duration('Longest a group waits to fill; default 5s (Notification Manager: 1m, on top of Alertmanager grouping).'),
  ),
  cluster: Type.Optional(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 253 }),
        labels: Type.Optional(StringMap({ description: 'Member labels stamped on every notification.' })),
      },
      { description: 'This member’s identity; written by the host for each member.' },
    ),
  ),
  stampLabels: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 317 }), {
      maxItems: 32,
      description: 'Which MemberCluster labels the host copies into cluster.labels.',
    }),
  ),
  template: Type.Optional(
    Type.Object({
      language: Type.Optional(Type.String({ maxLength: 32, description: 'Language of the language pack to use; default English.' })),
      reloadCycle: Type.Optional(Duration('Unused by Herald (templates reload on change); kept for compatibility.')),
    }),
  ),
  options: Type.Optional(ChannelOptions),
  history: Type.Optional(
    Type.Object(
      {
        webhook: WebhookReceiver,
        retention: Type.Optional(Duration('How long local delivery history is kept; default 168h.')),
      },
      { description: 'Where delivery history is sent, besides the local history API.' },
    ),
  ),
  egress: Type.Optional(Egress),
  inhibition: Type.Optional(
    Type.Object(
      {
        sourceTTL: Type.Optional(
          Duration(
            "How long a firing source alert inhibits after Alertmanager last sent it, should its resolution never come; default 24h. Keep it above Alertmanager's repeat_interval.",
          ),
        ),
        maxSources: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 1000000, description: 'Firing source alerts kept at most; past it the least recently sent goes. Default 10000.' }),
        ),
      },
      { description: 'Bounds of the inhibition state (InhibitRule sources).' },
    ),
  ),
  delivery: Type.Optional(
    Type.Object({
      maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      initialBackoff: Type.Optional(Duration('First retry delay; default 1s.')),
      maxBackoff: Type.Optional(Duration('Longest retry delay; default 5m.')),
      giveUpAfter: Type.Optional(Duration('Stop retrying after this long; default 24h.')),
      dedupWindow: Type.Optional(
        Duration(
          'A group state already sent to a receiver within this window is not sent again (an Alertmanager HA copy, a retried request); a firing group repeated after it is sent again (a repeat_interval reminder). Keep it below repeat_interval; default 30s.',
        ),
      ),
    }),
  ),
});
export type SettingsSpec = Static<typeof SettingsSpec>;
export type Settings = HeraldObject<'Settings', SettingsSpec>;
