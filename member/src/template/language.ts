/**
 * Language packs: word → translation dictionaries for `{{translate}}`. English is the language the
 * templates are written in, so it needs no pack; zh-cn ships built in so `language: zh-cn` gives
 * Chinese default output without a Template object. Packs from Template objects add or override words.
 */

export type Dictionary = Readonly<Record<string, string>>;

/** Every word and phrase the default templates pass to `translate`. */
const ZH_CN: Dictionary = {
  alert: '条告警',
  alerts: '条告警',
  for: '分组',
  'Alerts Firing': '触发中的告警',
  'Alerts Resolved': '已恢复的告警',
  Labels: '标签',
  Annotations: '注解',
  cluster: '集群',
  firing: '触发中',
  resolved: '已恢复',
};

export const BUILTIN_LANGUAGE_PACKS: Readonly<Record<string, Dictionary>> = { 'zh-cn': ZH_CN };

/** Language names compare case-insensitively, and `zh_CN` is the same language as `zh-cn`. */
export function normalizeLanguage(language: string | undefined): string {
  return (language ?? '').trim().toLowerCase().replaceAll('_', '-');
}

/** English (or no language) renders the templates' own words. */
export function isEnglish(language: string): boolean {
  // Settings say "English" by default (Notification Manager's spelling); names arrive lower-cased.
  return language === '' || language === 'en' || language === 'english' || language.startsWith('en-');
}
