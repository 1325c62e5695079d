/** Receiver: the targets on each channel, which Config they use and which alerts they take. */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Credential, LabelSelector, SecretKeyRef, StringEnum, TLSConfig, TemplateRef, cel, type HeraldObject } from './common.js';
import { described } from './common.js';
import { oneChannelRule } from './config.js';

const Names = (description: string, maxItems = 1000) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems, description });

/** Fields every channel block has (Notification Manager's common receiver fields); each block adds its own `<channel>ConfigSelector`. */
function channelBlock<P extends TProperties>(props: P) {
  return {
    enabled: Type.Optional(Type.Boolean({ description: 'Set false to pause this channel; default true.' })),
    alertSelector: Type.Optional(LabelSelector('Only notifications matching this selector are sent here.')),
    template: Type.Optional(
      Type.String({ maxLength: 253, description: 'Name of the template that renders the message.' }),
    ),
    tmplText: Type.Optional(TemplateRef),
    ...props,
  } as const;
}

const TmplType = <const T extends readonly string[]>(values: T) =>
  Type.Optional(StringEnum(values, { description: 'Message format.' }));
const TitleTemplate = Type.Optional(Type.String({ maxLength: 253, description: 'Template for the title.' }));

export const EmailReceiver = Type.Object({
  ...channelBlock({
    to: Type.Array(Type.String({ minLength: 3, maxLength: 320 }), { minItems: 1, maxItems: 1000 }),
    subjectTemplate: Type.Optional(Type.String({ maxLength: 253, description: 'Template for the subject.' })),
    tmplType: TmplType(['html', 'text'] as const),
  }),
  emailConfigSelector: Type.Optional(LabelSelector('Selects the email Config.')),
});

export const SlackReceiver = Type.Object({
  ...channelBlock({
    channels: Names('Channel IDs or names to post to.', 100),
  }),
  slackConfigSelector: Type.Optional(LabelSelector('Selects the slack Config.')),
});

export const WebhookService = Type.Object(
  {
    namespace: Type.String({ minLength: 1, maxLength: 63 }),
    name: Type.String({ minLength: 1, maxLength: 63 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    path: Type.Optional(Type.String({ maxLength: 2048 })),
    scheme: Type.Optional(StringEnum(['http', 'https'] as const)),
  },
  { description: 'A Service in the member cluster to post to.' },
);

export const HttpConfig = Type.Object(
  {
  basicAuth: Type.Optional(
    Type.Object({ username: Type.String({ maxLength: 256 }), password: Type.Optional(Credential) }),
  ),
  bearerToken: Type.Optional(described(Credential, 'Sent as Authorization: Bearer <token>.')),
  proxyUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
  tlsConfig: Type.Optional(TLSConfig),
  },
  cel({ rule: '!(has(self.basicAuth) && has(self.bearerToken))', message: 'use basicAuth or bearerToken, not both' }),
);

export const WebhookReceiver = Type.Object(
  {
    ...channelBlock({
      url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'The http(s) URL to post to, in plain text.' })),
      urlFrom: Type.Optional(
        Type.Object(
          { secretKeyRef: SecretKeyRef },
          { description: 'Read the URL from a Secret key: for URLs that carry a token. The whole URL is treated as a secret.' },
        ),
      ),
      service: Type.Optional(WebhookService),
      httpConfig: Type.Optional(HttpConfig),
    }),
    webhookConfigSelector: Type.Optional(LabelSelector('Selects the webhook Config.')),
  },
  cel({
    rule: '(has(self.url) ? 1 : 0) + (has(self.urlFrom) ? 1 : 0) + (has(self.service) ? 1 : 0) == 1',
    message: 'a webhook receiver needs exactly one of url, urlFrom or service',
  }),
);

export const WechatReceiver = Type.Object(
  {
    ...channelBlock({
      toUser: Type.Optional(Names('User IDs.')),
      toParty: Type.Optional(Names('Department (party) IDs.')),
      toTag: Type.Optional(Names('Tag IDs.')),
      tmplType: TmplType(['text', 'markdown'] as const),
      chatbot: Type.Optional(
        Type.Object(
          {
            webhook: described(Credential, 'Group bot webhook URL (it embeds the key).'),
            atUsers: Type.Optional(Names('User IDs to mention; @all mentions everyone.', 100)),
            atMobiles: Type.Optional(Names('Mobile numbers to mention.', 100)),
          },
          { description: 'A WeChat Work group bot.' },
        ),
      ),
    }),
    wechatConfigSelector: Type.Optional(LabelSelector('Selects the wechat Config.')),
  },
  cel({
    rule:
      '(has(self.toUser) && size(self.toUser) > 0) || (has(self.toParty) && size(self.toParty) > 0) || ' +
      '(has(self.toTag) && size(self.toTag) > 0) || has(self.chatbot)',
    message: 'a wechat receiver must name at least one of toUser, toParty or toTag (or set chatbot)',
  }),
);

export const DingTalkReceiver = Type.Object(
  {
    ...channelBlock({
      titleTemplate: TitleTemplate,
      tmplType: TmplType(['text', 'markdown'] as const),
      conversation: Type.Optional(
        Type.Object({ chatids: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }) }),
      ),
      chatbot: Type.Optional(
        Type.Object({
          webhook: described(Credential, 'Robot webhook URL (it embeds the access token).'),
          keywords: Type.Optional(Names('Keywords the robot requires in every message.', 10)),
          secret: Type.Optional(described(Credential, 'Signing secret (SEC…) for HMAC-SHA256 signing.')),
          atMobiles: Type.Optional(Names('Mobile numbers to mention.', 100)),
          atUsers: Type.Optional(Names('User IDs to mention.', 100)),
          atAll: Type.Optional(Type.Boolean({ description: 'Mention everyone.' })),
        }),
      ),
    }),
    dingtalkConfigSelector: Type.Optional(LabelSelector('Selects the dingtalk Config.')),
  },
  cel({ rule: 'has(self.conversation) || has(self.chatbot)', message: 'a dingtalk receiver needs conversation or chatbot' }),
);

export const FeishuReceiver = Type.Object(
  {
    ...channelBlock({
      user: Type.Optional(Names('User IDs (at most 200).', 200)),
      department: Type.Optional(Names('Department IDs (at most 200).', 200)),
      tmplType: TmplType(['post', 'text'] as const),
      chatbot: Type.Optional(
        Type.Object({
          webhook: described(Credential, 'Bot webhook URL.'),
          keywords: Type.Optional(Names('Keywords the bot requires in every message.', 10)),
          secret: Type.Optional(described(Credential, 'Signing secret of the bot.')),
        }),
      ),
    }),
    feishuConfigSelector: Type.Optional(LabelSelector('Selects the feishu Config.')),
  },
  cel({
    rule: '(has(self.user) && size(self.user) > 0) || (has(self.department) && size(self.department) > 0) || has(self.chatbot)',
    message: 'a feishu receiver needs user, department or chatbot',
  }),
);

export const DiscordReceiver = Type.Object({
  ...channelBlock({
    webhook: described(Credential, 'Discord webhook URL.'),
    type: Type.Optional(StringEnum(['content', 'embed'] as const, { description: 'Plain content (2000) or embed (4096).' })),
    titleTemplate: TitleTemplate,
    mentionedUsers: Type.Optional(Names('User IDs to mention.', 100)),
    mentionedRoles: Type.Optional(Names('Role IDs to mention.', 100)),
  }),
  discordConfigSelector: Type.Optional(LabelSelector('Selects the discord Config.')),
});

export const TelegramReceiver = Type.Object({
  ...channelBlock({
    channels: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      maxItems: 100,
      description: 'Chat IDs or @channel names.',
    }),
    mentionedUsers: Type.Optional(Names('Usernames to mention.', 100)),
  }),
  telegramConfigSelector: Type.Optional(LabelSelector('Selects the telegram Config.')),
});

export const PushoverReceiver = Type.Object({
  ...channelBlock({
    titleTemplate: TitleTemplate,
    profiles: Type.Array(
      Type.Object({
        userKey: Type.String({ pattern: '^[A-Za-z0-9]{30}$', description: 'The 30-character user or group key.' }),
        devices: Type.Optional(Names('Devices to notify; none means all.', 100)),
        sound: Type.Optional(Type.String({ maxLength: 64 })),
        title: Type.Optional(Type.String({ maxLength: 250 })),
      }),
      { minItems: 1, maxItems: 100 },
    ),
  }),
  pushoverConfigSelector: Type.Optional(LabelSelector('Selects the pushover Config.')),
});

export const TeamsReceiver = Type.Object({
  ...channelBlock({
    webhook: described(Credential, 'Teams Workflows (Power Automate) webhook URL; its query carries the signature, so it is a credential.'),
    titleTemplate: TitleTemplate,
  }),
  teamsConfigSelector: Type.Optional(LabelSelector('Selects the teams Config.')),
});

const SHORT = (maxLength: number, description: string) => Type.Optional(Type.String({ minLength: 1, maxLength, description }));

export const PagerDutyReceiver = Type.Object(
  {
    ...channelBlock({
      routingKey: described(Credential, 'Integration key of an Events API v2 integration (32 characters).'),
      titleTemplate: TitleTemplate,
      severity: Type.Optional(
        StringEnum(['critical', 'error', 'warning', 'info'] as const, {
          description: "Fixed payload.severity; by default the alerts' severity label decides (missing or unknown: error).",
        }),
      ),
      source: SHORT(255, 'payload.source; defaults to the cluster name.'),
      component: SHORT(255, 'payload.component.'),
      group: SHORT(255, 'payload.group.'),
      class: SHORT(255, 'payload.class.'),
    }),
    pagerdutyConfigSelector: Type.Optional(LabelSelector('Selects the pagerduty Config.')),
  },
  cel({
    rule: '!has(self.routingKey.value) || size(self.routingKey.value) == 32',
    message: 'routingKey must be the 32-character integration key',
    fieldPath: '.routingKey.value',
  }),
);

export const OpsgenieResponder = Type.Object(
  {
    type: StringEnum(['team', 'user', 'escalation', 'schedule'] as const),
    id: SHORT(256, 'Responder ID.'),
    name: SHORT(256, 'Team, escalation or schedule name.'),
    username: SHORT(256, 'User name (an email address) of a user responder.'),
  },
  cel(
    {
      rule: "(has(self.id) ? 1 : 0) + (has(self.name) ? 1 : 0) + (has(self.username) ? 1 : 0) == 1",
      message: 'a responder needs exactly one of id, name or username',
    },
    { rule: "!has(self.username) || self.type == 'user'", message: 'username identifies user responders only' },
    { rule: "!has(self.name) || self.type != 'user'", message: 'a user responder is named by username, not name' },
  ),
);

export const OpsgenieReceiver = Type.Object({
  ...channelBlock({
    titleTemplate: TitleTemplate,
    responders: Type.Optional(Type.Array(OpsgenieResponder, { maxItems: 50, description: 'Who is notified (at most 50).' })),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, description: 'Alert tags (at most 20, 50 characters each).' }),
    ),
    priority: Type.Optional(
      StringEnum(['P1', 'P2', 'P3', 'P4', 'P5'] as const, {
        description: "Fixed priority; by default the alerts' severity label decides (critical P1, error P2, warning P3, info P5; else P3).",
      }),
    ),
    entity: SHORT(512, 'Alert entity, e.g. the affected service.'),
    source: SHORT(100, 'Alert source; defaults to herald/<cluster>.'),
  }),
  opsgenieConfigSelector: Type.Optional(LabelSelector('Selects the opsgenie Config.')),
});

export const SmsReceiver = Type.Object({
  ...channelBlock({
    phoneNumbers: Type.Array(Type.String({ pattern: '^\\+?[0-9]{5,20}$' }), { minItems: 1, maxItems: 1000 }),
    provider: Type.Optional(StringEnum(['aliyun', 'tencent', 'huawei', 'aws'] as const)),
  }),
  smsConfigSelector: Type.Optional(LabelSelector('Selects the sms Config.')),
});

export const ReceiverSpec = Type.Object(
  {
    email: Type.Optional(EmailReceiver),
    wechat: Type.Optional(WechatReceiver),
    slack: Type.Optional(SlackReceiver),
    webhook: Type.Optional(WebhookReceiver),
    dingtalk: Type.Optional(DingTalkReceiver),
    feishu: Type.Optional(FeishuReceiver),
    discord: Type.Optional(DiscordReceiver),
    telegram: Type.Optional(TelegramReceiver),
    pushover: Type.Optional(PushoverReceiver),
    sms: Type.Optional(SmsReceiver),
    teams: Type.Optional(TeamsReceiver),
    pagerduty: Type.Optional(PagerDutyReceiver),
    opsgenie: Type.Optional(OpsgenieReceiver),
  },
  cel(oneChannelRule('Receiver')),
);
export type ReceiverSpec = Static<typeof ReceiverSpec>;
export type Receiver = HeraldObject<'Receiver', ReceiverSpec>;
