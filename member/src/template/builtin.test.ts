import { describe, expect, it } from 'vitest';
import { templateDataFor, type Notification, type TemplateData } from '../model/notification.js';
import type { RenderKind } from './builtin.js';
import { createRenderer } from './renderer.js';

function alert(status: Notification['status'], labels: Record<string, string>, annotations: Record<string, string> = {}): Notification {
  return {
    fingerprint: labels['pod'] ?? 'x',
    status,
    labels,
    annotations,
    startsAt: '2024-05-06T07:08:09Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    source: 'alertmanager',
  };
}

const base = { alertname: 'KubePodCrashLooping', namespace: 'team-a' };

/** Two firing alerts and one resolved, with every hidden label and annotation present. */
function group(extra: Record<string, string> = {}): TemplateData {
  return templateDataFor({
    receiver: 'team-a-email',
    cluster: 'member-a',
    groupLabels: base,
    alerts: [
      alert('firing', { ...base, pod: 'web-1', rule_id: 'r-123', ...extra }, {
        message: 'Pod web-1 restarts',
        summary: 'summary-1',
        summary_cn: '中文摘要一',
        runbook_url: 'https://runbooks/crash',
        description: 'Back-off restarting',
      }),
      alert('firing', { ...base, pod: 'web-2' }, { summary: 'Pod web-2 restarts' }),
      alert('resolved', { ...base, pod: 'web-3' }),
    ],
  });
}

/** Asserts the parts occur in this order (each after the previous one). */
function expectInOrder(output: string, parts: readonly string[]): void {
  let from = 0;
  for (const part of parts) {
    const at = output.indexOf(part, from);
    expect(at, `"${part}" after offset ${from} in:\n${output}`).toBeGreaterThanOrEqual(0);
    from = at + part.length;
  }
}

const english = createRenderer({ templates: [] });
const chinese = createRenderer({ templates: [], language: 'zh-cn' });

describe('default templates', () => {
  it('nm.default.text renders the whole group exactly', () => {
    expect(english.render('text', undefined, group())).toBe(
      [
        '3 alerts for alertname=KubePodCrashLooping namespace=team-a',
        'cluster: member-a',
        '',
        'Alerts Firing:',
        'Pod web-1 restarts',
        'Labels:',
        '- alertname = KubePodCrashLooping',
        '- namespace = team-a',
        '- pod = web-1',
        'Annotations:',
        '- description = Back-off restarting',
        '',
        'Pod web-2 restarts',
        'Labels:',
        '- alertname = KubePodCrashLooping',
        '- namespace = team-a',
        '- pod = web-2',
        '',
        'Alerts Resolved:',
        'Labels:',
        '- alertname = KubePodCrashLooping',
        '- namespace = team-a',
        '- pod = web-3',
      ].join('\n'),
    );
  });

  it.each<{ kind: RenderKind; parts: string[] }>([
    { kind: 'subject', parts: ['3 alerts for alertname=KubePodCrashLooping namespace=team-a'] },
    { kind: 'title', parts: ['[FIRING:2] KubePodCrashLooping (member-a)'] },
    {
      kind: 'markdown',
      parts: [
        '### 3 alerts for alertname=KubePodCrashLooping namespace=team-a',
        '**cluster:** member-a',
        '#### Alerts Firing',
        '> Pod web-1 restarts',
        '**Labels**',
        '- alertname = KubePodCrashLooping',
        '- pod = web-1',
        '**Annotations**',
        '- description = Back-off restarting',
        '> Pod web-2 restarts',
        '- pod = web-2',
        '#### Alerts Resolved',
        '- pod = web-3',
      ],
    },
    {
      kind: 'html',
      parts: [
        '<!DOCTYPE html>',
        '<title>3 alerts for alertname=KubePodCrashLooping namespace=team-a</title>',
        '<h2>3 alerts for alertname=KubePodCrashLooping namespace=team-a</h2>',
        '<strong>cluster:</strong> member-a',
        '<h3>Alerts Firing</h3>',
        '<strong>Pod web-1 restarts</strong>',
        '<td>alertname</td><td>KubePodCrashLooping</td>',
        '<td>pod</td><td>web-1</td>',
        '<td>description</td><td>Back-off restarting</td>',
        '<td>pod</td><td>web-2</td>',
        '<h3>Alerts Resolved</h3>',
        '<td>pod</td><td>web-3</td>',
        '</html>',
      ],
    },
  ])('$kind renders the group in order', ({ kind, parts }) => {
    expectInOrder(english.render(kind, undefined, group()), parts);
  });

  it.each<{ name: string; status: Notification['status'][]; want: string }>([
    { name: 'one alert is singular', status: ['firing'], want: '1 alert for' },
    { name: 'a resolved group counts resolved alerts', status: ['resolved', 'resolved'], want: '[RESOLVED:2]' },
  ])('subject and title: $name', ({ status, want }) => {
    const data = templateDataFor({
      receiver: 'r',
      cluster: 'c',
      groupLabels: base,
      alerts: status.map((s, i) => alert(s, { ...base, pod: `p${i}` })),
    });
    expect(`${english.render('subject', undefined, data)} ${english.render('title', undefined, data)}`).toContain(want);
  });

  it('a group without group labels has no dangling "for"', () => {
    const data = templateDataFor({ receiver: 'r', cluster: '', groupLabels: {}, alerts: [alert('firing', { a: 'b' })] });
    expect(english.render('subject', undefined, data)).toBe('1 alert');
    expect(english.render('title', undefined, data)).toBe('[FIRING:1]');
  });

  it.each<RenderKind>(['text', 'markdown', 'html'])('%s hides rule_id, runbook_url, message, summary and summary_cn as pairs', (kind) => {
    const out = english.render(kind, undefined, group());
    for (const hidden of ['rule_id', 'r-123', 'runbook_url', 'https://runbooks', 'summary-1', '中文摘要一']) {
      expect(out).not.toContain(hidden);
    }
    expect(out).not.toMatch(/\b(message|summary|summary_cn)\b/);
    expect(out).toContain('Pod web-1 restarts');
  });

  it.each<{ kind: RenderKind; escaped: boolean }>([
    { kind: 'html', escaped: true },
    { kind: 'text', escaped: false },
    { kind: 'markdown', escaped: false },
    { kind: 'subject', escaped: false },
  ])('a <script> label value in $kind: escaped=$escaped', ({ kind, escaped }) => {
    const data = group({ namespace: 'x<script>alert(1)</script>' });
    data.groupLabels = { namespace: 'x<script>alert(1)</script>' };
    const out = english.render(kind, undefined, data);
    if (escaped) {
      expect(out).toContain('x&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(out).not.toContain('<script>');
    } else {
      expect(out).toContain('x<script>alert(1)</script>');
      expect(out).not.toContain('&lt;');
    }
  });

  it.each<{ kind: RenderKind; parts: string[] }>([
    { kind: 'subject', parts: ['3 条告警 分组 alertname=KubePodCrashLooping'] },
    { kind: 'title', parts: ['[触发中:2] KubePodCrashLooping (member-a)'] },
    { kind: 'text', parts: ['3 条告警', '集群: member-a', '触发中的告警:', '中文摘要一', '标签:', '- pod = web-1', '注解:', '已恢复的告警:', '- pod = web-3'] },
    { kind: 'markdown', parts: ['**集群:** member-a', '#### 触发中的告警', '> 中文摘要一', '**标签**', '**注解**', '#### 已恢复的告警'] },
    { kind: 'html', parts: ['<h3>触发中的告警</h3>', '<strong>中文摘要一</strong>', '标签', '注解', '<h3>已恢复的告警</h3>'] },
  ])('zh-cn $kind is in Chinese', ({ kind, parts }) => {
    const out = chinese.render(kind, undefined, group());
    expectInOrder(out, parts);
    expect(out).not.toMatch(/Alerts Firing|Labels|Annotations/);
  });
});
