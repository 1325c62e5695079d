/**
 * The built-in templates, Handlebars counterparts of Notification Manager's defaults. They show
 * the same things NM's do (the subject, then firing and resolved alerts with their labels and
 * annotations as sorted `name = value` pairs) plus the cluster Herald stamps and each alert's
 * message on its own line. Every word goes through `translate`, so a language pack localizes them.
 * A Template object may define one of these names to replace it.
 */
import type { Renderer } from '../notify/notifier.js';

export type RenderKind = Parameters<Renderer['render']>[0];

/** The template each kind renders when nothing chose one. */
export const DEFAULT_TEMPLATES: Readonly<Record<RenderKind, string>> = {
  text: 'nm.default.text',
  markdown: 'nm.default.markdown',
  html: 'nm.default.html',
  subject: 'nm.default.subject',
  title: 'nm.default.title',
};

/**
 * Names Notification Manager gives special meaning rather than a template: the webhook sends the
 * raw notification data, and history posts its own record. They cannot be rendered or defined.
 */
export const SENTINEL_TEMPLATES: ReadonlySet<string> = new Set(['webhook.default.message', 'nm.default.history']);

const subject = `{{len alerts}} {{#if (gt (len alerts) 1)}}{{translate "alerts"}}{{else}}{{translate "alert"}}{{/if}}{{#if (len groupLabels)}} {{translate "for"}}{{#each (sortedPairs groupLabels)}} {{name}}={{value}}{{/each}}{{/if}}`;

/** `[FIRING:2] KubePodCrashLooping (member-a)`: the count is of alerts in the group's status, as Alertmanager's titles. */
const title = `[{{toUpper (translate status)}}:{{#if (eq status "firing")}}{{len (firing alerts)}}{{else}}{{len (resolved alerts)}}{{/if}}]{{#if groupLabels.alertname}} {{groupLabels.alertname}}{{else if commonLabels.alertname}} {{commonLabels.alertname}}{{/if}}{{#if cluster}} ({{cluster}}){{/if}}`;

// The list partials take an array of alerts as their context. Lines holding only a block tag are
// removed by Handlebars ("standalone" tags), which is what keeps the output free of blank lines.
const textList = `{{#each this}}
{{#if (message this)}}
{{message this}}
{{/if}}
{{translate "Labels"}}:
{{#each (sortedPairs labels "labels")}}
- {{name}} = {{value}}
{{/each}}
{{#with (sortedPairs annotations "annotations") as |pairs|}}
{{translate "Annotations"}}:
{{#each pairs}}
- {{name}} = {{value}}
{{/each}}
{{/with}}
{{#unless @last}}

{{/unless}}
{{/each}}
`;

const text = `{{> nm.default.subject}}{{#if cluster}}
{{translate "cluster"}}: {{cluster}}{{/if}}
{{#with (firing alerts) as |list|}}

{{translate "Alerts Firing"}}:
{{> __nm_alert_list_text list}}
{{/with}}
{{#with (resolved alerts) as |list|}}

{{translate "Alerts Resolved"}}:
{{> __nm_alert_list_text list}}
{{/with}}
`;

const markdownList = `{{#each this}}
{{#if (message this)}}
> {{message this}}

{{/if}}
**{{translate "Labels"}}**

{{#each (sortedPairs labels "labels")}}
- {{name}} = {{value}}
{{/each}}
{{#with (sortedPairs annotations "annotations") as |pairs|}}

**{{translate "Annotations"}}**

{{#each pairs}}
- {{name}} = {{value}}
{{/each}}
{{/with}}
{{#unless @last}}

---

{{/unless}}
{{/each}}
`;

const markdown = `### {{> nm.default.subject}}
{{#if cluster}}

**{{translate "cluster"}}:** {{cluster}}
{{/if}}
{{#with (firing alerts) as |list|}}

#### {{translate "Alerts Firing"}}

{{> __nm_alert_list_markdown list}}
{{/with}}
{{#with (resolved alerts) as |list|}}

#### {{translate "Alerts Resolved"}}

{{> __nm_alert_list_markdown list}}
{{/with}}
`;

const htmlList = `{{#each this}}
<table border="1" style="border-collapse:collapse;margin-bottom:12px">
{{#if (message this)}}
<tr><td colspan="2"><strong>{{message this}}</strong></td></tr>
{{/if}}
<tr><th colspan="2" style="text-align:left">{{translate "Labels"}}</th></tr>
{{#each (sortedPairs labels "labels")}}
<tr><td>{{name}}</td><td>{{value}}</td></tr>
{{/each}}
{{#with (sortedPairs annotations "annotations") as |pairs|}}
<tr><th colspan="2" style="text-align:left">{{translate "Annotations"}}</th></tr>
{{#each pairs}}
<tr><td>{{name}}</td><td>{{value}}</td></tr>
{{/each}}
{{/with}}
</table>
{{/each}}
`;

const html = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{{> nm.default.subject}}</title>
</head>
<body>
<h2>{{> nm.default.subject}}</h2>
{{#if cluster}}
<p><strong>{{translate "cluster"}}:</strong> {{cluster}}</p>
{{/if}}
{{#with (firing alerts) as |list|}}
<h3>{{translate "Alerts Firing"}}</h3>
{{> __nm_alert_list_html list}}
{{/with}}
{{#with (resolved alerts) as |list|}}
<h3>{{translate "Alerts Resolved"}}</h3>
{{> __nm_alert_list_html list}}
{{/with}}
</body>
</html>
`;

/** Built-in sources by name; the `__nm_*` ones are partials the defaults share. */
export const BUILTIN_TEMPLATES: Readonly<Record<string, string>> = {
  'nm.default.subject': subject,
  'nm.default.title': title,
  'nm.default.text': text,
  'nm.default.markdown': markdown,
  'nm.default.html': html,
  __nm_alert_list_text: textList,
  __nm_alert_list_markdown: markdownList,
  __nm_alert_list_html: htmlList,
};
