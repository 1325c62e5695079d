/** Config: the connection settings of one or more channels (Notification Manager's Config). */
import { Type, type Static } from '@sinclair/typebox';
import { Credential, TLSConfig, StringEnum, cel, type HeraldObject } from './common.js';
import { CONFIG_CHANNELS, SMS_PROVIDERS } from './channels.js';

export { CONFIG_CHANNELS, SMS_PROVIDERS, type Channel } from './channels.js';
import { described } from './common.js';

const Url = (description: string) => Type.String({ pattern: '^https?://', maxLength: 2048, description });
const ApiUrl = Type.Optional(Url('Base URL of the provider API; override for proxies or private endpoints.'));
/** The message goes into one template variable per SMS, split to fit the variable's length cap (in characters). */
const ParamMaxLength = (defaults: string) =>
  Type.Optional(Type.Integer({ minimum: 4, maximum: 500, description: `Characters per template variable; default ${defaults}.` }));

export const EmailConfig = Type.Object({
  from: Type.String({ minLength: 3, maxLength: 320, description: 'Sender address.' }),
  smartHost: Type.Object(
    {
      host: Type.String({ minLength: 1, maxLength: 253 }),
      port: Type.Integer({ minimum: 1, maximum: 65535, description: '465 means implicit TLS.' }),
    },
    { description: 'SMTP server.' },
  ),
  hello: Type.Optional(Type.String({ maxLength: 253, description: 'Hostname sent in EHLO/HELO.' })),
  authUsername: Type.Optional(Type.String({ maxLength: 320 })),
  authIdentify: Type.Optional(Type.String({ maxLength: 320, description: 'PLAIN auth identity.' })),
  authPassword: Type.Optional(described(Credential, 'Password for PLAIN/LOGIN auth.')),
  authSecret: Type.Optional(described(Credential, 'Secret for CRAM-MD5 auth.')),
  requireTLS: Type.Optional(
    Type.Boolean({
      description: 'Fail unless the server offers STARTTLS. With credentials (authPassword or authSecret) TLS is required anyway, unless allowInsecureAuth.',
    }),
  ),
  allowInsecureAuth: Type.Optional(
    Type.Boolean({
      description:
        'Send AUTH (the password) over an unencrypted connection when the server offers no STARTTLS. Off by default: with credentials, the session must be TLS (an implicit TLS port, or STARTTLS) before AUTH.',
    }),
  ),
  tls: Type.Optional(TLSConfig),
});

export const WechatConfig = Type.Object({
  wechatApiUrl: Type.Optional(Url('WeChat Work API base; defaults to https://qyapi.weixin.qq.com/cgi-bin/.')),
  wechatApiCorpId: Type.String({ minLength: 1, maxLength: 128, description: 'Corporation ID.' }),
  wechatApiAgentId: Type.String({ pattern: '^[0-9]{1,18}$', description: 'Application (agent) ID: a number, as WeChat Work issues it.' }),
  wechatApiSecret: described(Credential, 'Application secret.'),
});

export const SlackConfig = Type.Object({
  slackTokenSecret: described(Credential, 'Bot or user OAuth token with chat:write.'),
  apiUrl: ApiUrl,
});

export const DingTalkConfig = Type.Object({
  conversation: Type.Optional(
    Type.Object(
      { appkey: Credential, appsecret: Credential },
      { description: 'App credentials for the conversation (chat) API.' },
    ),
  ),
  apiUrl: ApiUrl,
});

export const FeishuConfig = Type.Object({
  appID: described(Credential, 'Feishu app ID.'),
  appSecret: described(Credential, 'Feishu app secret.'),
  apiUrl: ApiUrl,
});

export const PushoverConfig = Type.Object({
  pushoverTokenSecret: described(Credential, 'Application API token.'),
  apiUrl: ApiUrl,
});

export const TelegramConfig = Type.Object({
  telegramTokenSecret: described(Credential, 'Bot token.'),
  apiUrl: ApiUrl,
});

export const PagerDutyConfig = Type.Object({
  apiUrl: Type.Optional(
    Url('Events API v2 base; defaults to https://events.pagerduty.com (EU accounts: https://events.eu.pagerduty.com).'),
  ),
});

export const OpsgenieConfig = Type.Object({
  apiKey: described(Credential, 'API key of an Opsgenie API integration (sent as Authorization: GenieKey <key>).'),
  apiUrl: Type.Optional(Url('Alert API base; defaults to https://api.opsgenie.com (EU accounts: https://api.eu.opsgenie.com).')),
});

/** Webhook, Discord and Teams keep all settings on the Receiver; their Config only carries labels. */
export const LabelsOnlyConfig = Type.Object({}, { description: 'No settings: the Receiver holds them.' });


export const SmsConfig = Type.Object(
  {
    defaultProvider: StringEnum(SMS_PROVIDERS, { description: 'Provider used by receivers that name none.' }),
    providers: Type.Object({
      aliyun: Type.Optional(
        Type.Object({
          signName: Type.String({ minLength: 1, maxLength: 128 }),
          templateCode: Type.String({ minLength: 1, maxLength: 128 }),
          accessKeyId: Credential,
          accessKeySecret: Credential,
          apiUrl: ApiUrl,
          paramMaxLength: ParamMaxLength('35, the default cap of a notification template variable'),
        }),
      ),
      tencent: Type.Optional(
        Type.Object({
          sign: Type.String({ minLength: 1, maxLength: 128 }),
          templateID: Type.String({ minLength: 1, maxLength: 128 }),
          smsSdkAppid: Type.String({ minLength: 1, maxLength: 128 }),
          region: Type.Optional(Type.String({ maxLength: 64, description: 'Defaults to ap-guangzhou.' })),
          secretId: Credential,
          secretKey: Credential,
          apiUrl: ApiUrl,
          paramMaxLength: ParamMaxLength('12, the cap for personally verified accounts (enterprise accounts have none)'),
        }),
      ),
      huawei: Type.Optional(
        Type.Object({
          url: Url('batchSendSms endpoint.'),
          signature: Type.String({ minLength: 1, maxLength: 128 }),
          templateId: Type.String({ minLength: 1, maxLength: 128 }),
          templateParas: Type.Optional(
            Type.String({ maxLength: 1024, description: 'JSON array of fixed leading template values; the message is the last one.' }),
          ),
          sender: Type.String({ minLength: 1, maxLength: 128 }),
          appKey: Credential,
          appSecret: Credential,
          paramMaxLength: ParamMaxLength('20, the cap of a TEXT template variable'),
        }),
      ),
      aws: Type.Optional(
        Type.Object({
          region: Type.String({ minLength: 1, maxLength: 64 }),
          accessKeyId: Credential,
          secretAccessKey: Credential,
          apiUrl: ApiUrl,
        }),
      ),
    }),
  },
  cel({
    rule: SMS_PROVIDERS.map((p) => `(self.defaultProvider == '${p}' && has(self.providers.${p}))`).join(' || '),
    message: 'defaultProvider must name a configured provider',
    fieldPath: '.defaultProvider',
  }),
);


const oneChannelRule = (what: string) => ({
  rule: CONFIG_CHANNELS.map((c) => `has(self.${c})`).join(' || '),
  message: `a ${what} needs at least one channel block (${CONFIG_CHANNELS.join(', ')})`,
});
export { oneChannelRule };

export const ConfigSpec = Type.Object(
  {
    email: Type.Optional(EmailConfig),
    wechat: Type.Optional(WechatConfig),
    slack: Type.Optional(SlackConfig),
    webhook: Type.Optional(LabelsOnlyConfig),
    dingtalk: Type.Optional(DingTalkConfig),
    feishu: Type.Optional(FeishuConfig),
    discord: Type.Optional(LabelsOnlyConfig),
    telegram: Type.Optional(TelegramConfig),
    pushover: Type.Optional(PushoverConfig),
    sms: Type.Optional(SmsConfig),
    teams: Type.Optional(LabelsOnlyConfig),
    pagerduty: Type.Optional(PagerDutyConfig),
    opsgenie: Type.Optional(OpsgenieConfig),
  },
  cel(oneChannelRule('Config')),
);
export type ConfigSpec = Static<typeof ConfigSpec>;
export type Config = HeraldObject<'Config', ConfigSpec>;
