/** The channel names, in a module of their own so code that needs only them loads no schemas. */
export const CONFIG_CHANNELS = ['email', 'wechat', 'slack', 'webhook', 'dingtalk', 'feishu', 'discord', 'telegram', 'pushover', 'sms', 'teams', 'pagerduty', 'opsgenie'] as const;
export type Channel = (typeof CONFIG_CHANNELS)[number];
export const SMS_PROVIDERS = ['aliyun', 'tencent', 'huawei', 'aws'] as const;
