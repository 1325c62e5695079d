/**
 * Which template renders a message, by Notification Manager's precedence:
 * built-in default < Settings `options.global.template` < Settings `options.<channel>.template`
 * < the Receiver's own choice. An unset or empty value passes the choice down.
 */
import type { RenderKind } from './builtin.js';

export interface TemplateChoice {
  kind: RenderKind;
  /** The Receiver's `template` (or `subjectTemplate` / `titleTemplate` for those kinds). */
  receiverTemplate?: string | undefined;
  /** The Receiver's `tmplText`: template `key` of Template object `name`. */
  receiverTmplText?: { name: string; key: string } | undefined;
  /** Settings `options.<channel>.template` (or its subject/title template). */
  channelOptionTemplate?: string | undefined;
  /** Settings `options.global.template`. */
  globalOptionTemplate?: string | undefined;
}

const BODY_KINDS: ReadonlySet<RenderKind> = new Set(['text', 'markdown', 'html']);

const set = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/**
 * The template name to render, or undefined for the kind's default. Templates are bare names
 * (Handlebars has no `{{ template "x" . }}` to wrap them in).
 *
 * `tmplText` beats `template` when a Receiver sets both: it is the more specific reference (it
 * names the Template object too), so it is what the author meant. Template names are global, so
 * the object name only locates the template for validation; the key is what renders. Like NM's
 * tmplText it replaces the message body only, so subject and title kinds ignore it, and the
 * global option (a body template) does not apply to them either.
 */
export function chooseTemplate(choice: TemplateChoice): string | undefined {
  const body = BODY_KINDS.has(choice.kind);
  return (
    (body ? set(choice.receiverTmplText?.key) : undefined) ??
    set(choice.receiverTemplate) ??
    set(choice.channelOptionTemplate) ??
    (body ? set(choice.globalOptionTemplate) : undefined)
  );
}
