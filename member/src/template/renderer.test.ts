import type { Template } from '@herald/shared';
import Handlebars from 'handlebars';
import { describe, expect, it, vi } from 'vitest';
import { templateDataFor, type Notification, type TemplateData } from '../model/notification.js';
import { SENTINEL_TEMPLATES } from './builtin.js';
import { TemplateError, type TemplateErrorCode } from './errors.js';
import { createRenderer } from './renderer.js';
import { EVIL_INPUT } from '../../../test/support/redos.js';

function template(name: string, spec: Template['spec']): Template {
  return { apiVersion: 'herald.dev/v1alpha1', kind: 'Template', metadata: { name }, spec };
}

const firing: Notification = {
  fingerprint: 'f1',
  status: 'firing',
  labels: { alertname: 'DiskFull', severity: 'critical' },
  annotations: { summary: 'disk is full' },
  startsAt: '2024-05-06T07:08:09Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  source: 'alertmanager',
};

const data: TemplateData = templateDataFor({
  receiver: 'ops',
  cluster: 'member-a',
  groupLabels: { alertname: 'DiskFull' },
  alerts: [firing, { ...firing, fingerprint: 'f2', status: 'resolved', labels: { alertname: 'DiskFull', severity: 'warning' } }],
});

/** A renderer with one Template object holding these sources. */
function withSources(templates: Record<string, string>, language?: string): ReturnType<typeof createRenderer> {
  return createRenderer({ templates: [template('custom', { templates })], language, now: () => new Date('2025-01-02T03:04:05Z') });
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

function renderError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('createRenderer', () => {
  it.each([
    { name: 'fields and helpers', source: '[{{cluster}}] {{status}} {{#each alerts}}{{labels.severity}};{{/each}}', want: '[member-a] firing critical;warning;' },
    { name: 'firing/resolved filters', source: '{{len (firing alerts)}}/{{len (resolved alerts)}}', want: '1/1' },
    { name: 'a missing key renders empty (strict: false)', source: 'a{{nothing.here}}b', want: 'ab' },
    { name: 'the injected clock', source: '{{formatTime (now)}}', want: '2025-01-02 03:04:05 UTC' },
    { name: 'formatTime of a zero endsAt', source: '<{{#each alerts}}{{formatTime endsAt}}{{/each}}>', want: '<>' },
    { name: 'a partial from the same object', source: '{{> custom.header}} body', want: 'HEADER member-a body' },
    { name: 'a built-in as a partial', source: '{{> nm.default.subject}}', want: '2 alerts for alertname=DiskFull' },
    { name: 'translate without a pack', source: '{{translate "firing"}}', want: 'firing' },
  ])('renders $name', ({ source, want }) => {
    const r = withSources({ 'custom.main': source, 'custom.header': 'HEADER {{cluster}}' });
    expect(r.render('text', 'custom.main', data)).toBe(want);
  });

  it.each([
    '{{constructor.name}}',
    '{{__proto__}}',
    '{{constructor}}',
    '{{__proto__.constructor.name}}',
    '{{alerts.constructor.name}}',
    '{{#with __proto__}}x{{polluted}}{{/with}}',
    '{{#with constructor}}{{name}}{{/with}}',
    '{{lookup this "constructor"}}',
    '{{lookup (lookup this "constructor") "name"}}',
    '{{#each __proto__}}{{@key}}{{/each}}',
    '{{labels.toString}}{{hasOwnProperty}}{{valueOf}}',
    '{{{constructor.constructor}}}',
  ])('blocks prototype access: %s renders empty', (source) => {
    for (const kind of ['text', 'html'] as const) {
      expect(withSources({ probe: source }).render(kind, 'probe', data)).toBe('');
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it.each<{ name: string; template: string; code: TemplateErrorCode; sources?: Record<string, string> }>([
    { name: 'an unknown name', template: 'no.such.template', code: 'unknown' },
    { name: 'a sentinel name', template: 'webhook.default.message', code: 'sentinel' },
    { name: 'the history sentinel', template: 'nm.default.history', code: 'sentinel' },
    { name: 'a source that does not compile', template: 'bad', code: 'invalid', sources: { bad: '{{#if x}}never closed' } },
    { name: 'a missing partial', template: 'calls', code: 'render', sources: { calls: '{{> gone}}' } },
    { name: 'a missing helper', template: 'helps', code: 'render', sources: { helps: '{{nohelper cluster}}' } },
    { name: 'a bad regular expression', template: 're', code: 'render', sources: { re: '{{match "(" cluster}}' } },
    { name: 'endless recursion', template: 'loop', code: 'render', sources: { loop: 'x{{> loop}}' } },
  ])('$name throws a TemplateError ($code) naming the template', ({ template: name, code, sources }) => {
    const err = renderError(() => withSources(sources ?? {}).render('text', name, data));
    expect(err.code).toBe(code);
    expect(err.template).toBe(name);
    expect(err.message).toContain(`"${name}"`);
  });

  it('a regex helper with RE2-unsupported syntax fails the render as any bad pattern does, saying why', () => {
    const err = renderError(() => withSources({ re: '{{match "(?=a)a" cluster}}' }).render('text', 're', data));
    expect(err.code).toBe('render');
    expect(err.message).toContain('template "re": rendering failed: match: unsupported regular expression syntax: lookahead (?=…) is not supported (patterns use RE2 syntax');
    const replace = renderError(() => withSources({ re: '{{reReplaceAll "(a)\\1" "x" cluster}}' }).render('text', 're', data));
    expect(replace.message).toContain('reReplaceAll: unsupported regular expression syntax: a backreference');
  });

  it('exports the sentinel names, which has() does not claim', () => {
    expect([...SENTINEL_TEMPLATES].sort()).toEqual(['nm.default.history', 'webhook.default.message']);
    const r = withSources({ ok: 'x' });
    expect([r.has('webhook.default.message'), r.has('ok'), r.has('nm.default.text'), r.has('nope')]).toEqual([false, true, true, false]);
  });

  it('escapes per kind even when one template serves both (partials are compiled per mode)', () => {
    const r = withSources({ outer: '{{> inner}}', inner: '<b>{{cluster}}</b>' });
    const tricky = { ...data, cluster: '<i>' };
    expect(r.render('html', 'outer', tricky)).toBe('<b>&lt;i&gt;</b>');
    expect(r.render('text', 'outer', tricky)).toBe('<b><i></b>');
    expect(r.render('html', 'outer', tricky)).toBe('<b>&lt;i&gt;</b>');
  });

  it('compiles each template once per escaping mode, in isolated environments', () => {
    const compiles: string[] = [];
    const realCreate = Handlebars.create.bind(Handlebars);
    const spy = vi.spyOn(Handlebars, 'create').mockImplementation(() => {
      const env = realCreate();
      const realCompile = env.compile.bind(env);
      env.compile = ((input: string, options?: CompileOptions) => {
        compiles.push(`${options?.noEscape ? 'plain' : 'html'}:${input}`);
        return realCompile(input, options);
      }) as typeof env.compile;
      return env;
    });
    try {
      const r = withSources({ once: 'x{{cluster}}' });
      for (let i = 0; i < 3; i++) {
        expect(r.render('text', 'once', data)).toBe('xmember-a');
        expect(r.render('html', 'once', data)).toBe('xmember-a');
      }
      expect(compiles).toEqual(['plain:x{{cluster}}', 'html:x{{cluster}}']);
      expect(Handlebars.helpers).not.toHaveProperty('sortedPairs');
      expect(Handlebars.partials).not.toHaveProperty('once');
    } finally {
      spy.mockRestore();
    }
  });

  it('makes subjects and titles one line and trims trailing whitespace', () => {
    const r = withSources({ multi: 'line one\n  line two\n\n', body: 'a\nb\n\n' });
    expect(r.render('subject', 'multi', data)).toBe('line one line two');
    expect(r.render('title', 'multi', data)).toBe('line one line two');
    expect(r.render('text', 'body', data)).toBe('a\nb');
  });

  it('lets a Template replace a built-in, and the defaults that include it follow', () => {
    const r = withSources({ 'nm.default.subject': 'CUSTOM SUBJECT' });
    expect(r.render('subject', undefined, data)).toBe('CUSTOM SUBJECT');
    expect(r.render('text', undefined, data).split('\n')[0]).toBe('CUSTOM SUBJECT');
    expect(r.ownerOf('nm.default.subject')).toBe('custom');
    expect(r.ownerOf('nm.default.text')).toBeUndefined();
  });
});

describe('bad Template objects', () => {
  const objects = [
    template('b-broken', { templates: { ok: 'fine {{cluster}}', broken: '{{#each alerts}}', 'webhook.default.message': 'x' } }),
    template('a-first', { templates: { shared: 'from a' } }),
    template('c-second', { templates: { shared: 'from c', 'c.only': 'c' } }),
    { apiVersion: 'herald.dev/v1alpha1', kind: 'Template', metadata: { name: 'no-spec' } } as unknown as Template,
    template('wrong-types', { templates: { num: 42 as unknown as string }, languagePack: [{ name: '', dictionary: {} }] }),
    template('not-a-map', { templates: ['x'] as unknown as Record<string, string> }),
  ];
  const r = createRenderer({ templates: objects, language: 'fr' });

  it.each<{ object?: string; template?: string; says: string }>([
    { object: 'b-broken', template: 'broken', says: 'does not compile' },
    { object: 'b-broken', template: 'webhook.default.message', says: 'reserved' },
    { object: 'c-second', template: 'shared', says: 'also defined by Template "a-first"' },
    { object: 'no-spec', says: 'has no spec' },
    { object: 'wrong-types', template: 'num', says: 'not a string' },
    { object: 'wrong-types', says: 'languagePack[0] needs a name' },
    { object: 'not-a-map', says: 'spec.templates is not a map' },
    { says: 'language "fr" has no language pack' },
  ])('reports "$says" for object=$object template=$template', ({ object, template: name, says }) => {
    const found = r.validate().filter((p) => p.object === object && p.template === name && p.message.includes(says));
    expect(found, JSON.stringify(r.validate(), null, 1)).toHaveLength(1);
  });

  it('reports nothing else, and keeps using everything that is fine', () => {
    expect(r.validate()).toHaveLength(8);
    expect(r.render('text', 'ok', data)).toBe('fine member-a');
    expect(r.render('text', 'shared', data)).toBe('from a');
    expect(r.render('text', 'c.only', data)).toBe('c');
    expect(r.render('text', undefined, data)).toContain('Alerts Firing:');
    expect(renderError(() => r.render('text', 'broken', data)).message).toContain('Template "b-broken"');
  });

  it('never throws while being built, whatever it is given', () => {
    const junk = [null, 7, 'x', {}, { spec: null }, { metadata: {}, spec: { languagePack: {} } }] as unknown as Template[];
    expect(() => createRenderer({ templates: junk })).not.toThrow();
    expect(createRenderer({ templates: junk }).validate().length).toBeGreaterThanOrEqual(5);
  });
});

describe('languages', () => {
  const pack = template('packs', {
    languagePack: [
      { name: 'zh-CN', dictionary: { firing: '告警中', custom: '自定义' } },
      { name: 'de', dictionary: { firing: 'aktiv' } },
    ],
  });

  it.each([
    { language: undefined, want: 'firing custom cluster' },
    { language: 'en', want: 'firing custom cluster' },
    { language: 'zh-cn', want: '告警中 自定义 集群' },
    { language: 'ZH_CN', want: '告警中 自定义 集群' },
    { language: 'de', want: 'aktiv custom cluster' },
  ])('$language: user packs override the built-in words', ({ language, want }) => {
    const r = createRenderer({ templates: [pack, template('t', { templates: { w: '{{translate "firing"}} {{translate "custom"}} {{translate "cluster"}}' } })], language });
    expect(r.render('text', 'w', data)).toBe(want);
    expect(r.validate()).toEqual([]);
  });

  it('zh-cn picks the Chinese summary for message', () => {
    const zh = { ...data, alerts: [{ ...firing, annotations: { summary: 'disk is full', summaryCn: '磁盘已满' } }] };
    expect(withSources({ m: '{{message (lookup alerts 0)}}' }, 'zh-cn').render('text', 'm', zh)).toBe('磁盘已满');
    expect(withSources({ m: '{{message (lookup alerts 0)}}' }).render('text', 'm', zh)).toBe('disk is full');
  });
});

describe('regex helpers run on RE2 (finding F7)', () => {
  // The test's normal timeout is the assertion (test/support/redos.ts).
  const evil = templateDataFor({
    receiver: 'ops',
    cluster: 'member-a',
    groupLabels: {},
    alerts: [{ ...firing, labels: { alertname: 'X', x: EVIL_INPUT, instance: 'db:5432' } }],
  });

  it('match with a catastrophic pattern on an alert label renders in linear time', () => {
    const r = withSources({ probe: "{{#if (match '^(a+)+$' alerts.0.labels.x)}}yes{{else}}no{{/if}}" });
    expect(r.render('text', 'probe', evil)).toBe('no');
  });

  it('reReplaceAll with a catastrophic pattern on an alert label renders in linear time', () => {
    const r = withSources({ probe: "[{{reReplaceAll '^(a+)+$' 'X' alerts.0.labels.x}}]" });
    expect(r.render('text', 'probe', evil)).toBe(`[${EVIL_INPUT}]`);
  });

  it('reReplaceAll takes Go named groups and references', () => {
    const r = withSources({ probe: "{{reReplaceAll '(?P<host>[a-z]+):(?P<port>\\d+)' '${port}@${host} $1' alerts.0.labels.instance}}" });
    expect(r.render('text', 'probe', evil)).toBe('5432@db db');
  });
});
