import { describe, expect, it } from 'vitest';
import { chooseTemplate, type TemplateChoice } from './precedence.js';

const ref = { name: 'team-templates', key: 'team.tmpl' };

describe('chooseTemplate', () => {
  it.each<{ name: string; choice: TemplateChoice; want: string | undefined }>([
    { name: 'nothing set: the kind default', choice: { kind: 'text' }, want: undefined },
    { name: 'global beats default', choice: { kind: 'text', globalOptionTemplate: 'g' }, want: 'g' },
    { name: 'channel beats global', choice: { kind: 'text', globalOptionTemplate: 'g', channelOptionTemplate: 'c' }, want: 'c' },
    {
      name: 'receiver beats channel',
      choice: { kind: 'markdown', globalOptionTemplate: 'g', channelOptionTemplate: 'c', receiverTemplate: 'r' },
      want: 'r',
    },
    {
      name: 'tmplText beats the receiver template',
      choice: { kind: 'html', globalOptionTemplate: 'g', channelOptionTemplate: 'c', receiverTemplate: 'r', receiverTmplText: ref },
      want: 'team.tmpl',
    },
    { name: 'tmplText alone', choice: { kind: 'text', receiverTmplText: ref }, want: 'team.tmpl' },
    { name: 'empty strings are unset', choice: { kind: 'text', receiverTemplate: '', channelOptionTemplate: '', globalOptionTemplate: 'g' }, want: 'g' },
    { name: 'an empty tmplText key is unset', choice: { kind: 'text', receiverTmplText: { name: 'x', key: '' }, receiverTemplate: 'r' }, want: 'r' },
    { name: 'a bare name is returned as is', choice: { kind: 'text', receiverTemplate: 'nm.default.markdown' }, want: 'nm.default.markdown' },
    { name: 'subject: receiver subjectTemplate', choice: { kind: 'subject', receiverTemplate: 's', channelOptionTemplate: 'cs' }, want: 's' },
    { name: 'subject: channel subjectTemplate', choice: { kind: 'subject', channelOptionTemplate: 'cs' }, want: 'cs' },
    { name: 'subject ignores tmplText (a body template)', choice: { kind: 'subject', receiverTmplText: ref }, want: undefined },
    { name: 'title ignores the global body template', choice: { kind: 'title', globalOptionTemplate: 'g' }, want: undefined },
  ])('$name', ({ choice, want }) => {
    expect(chooseTemplate(choice)).toBe(want);
  });
});
