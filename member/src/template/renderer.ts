/**
 * The agent's template engine: Handlebars templates from Template objects and the built-ins,
 * rendered against a group's TemplateData. Construction never throws; problems with Template
 * objects are kept for `validate()` and surface as a TemplateError only when the broken template
 * is rendered, so one bad object cannot stop the agent or the other templates.
 */
import Handlebars from 'handlebars';
import type { Template } from '@herald/shared';
import type { TemplateData } from '../model/notification.js';
import type { Renderer } from '../notify/notifier.js';
import { BUILTIN_TEMPLATES, DEFAULT_TEMPLATES, SENTINEL_TEMPLATES, type RenderKind } from './builtin.js';
import { TemplateError } from './errors.js';
import { helperTable } from './helpers.js';
import { BUILTIN_LANGUAGE_PACKS, isEnglish, normalizeLanguage } from './language.js';
import { collectSources, type TemplateProblem } from './sources.js';

export interface RendererOptions {
  templates: readonly Template[];
  /** Settings.spec.template.language; case-insensitive, English when unset. */
  language?: string;
  /** The clock behind the `now` helper. */
  now?: () => Date;
}

export interface TemplateRenderer extends Renderer {
  /** Everything wrong with the Template objects and the language, for logs and status. */
  validate(): TemplateProblem[];
  /** Whether `name` can be rendered (defined, compiles, not a sentinel). */
  has(name: string): boolean;
  /** The Template object defining `name`; undefined for built-ins and unknown names. */
  ownerOf(name: string): string | undefined;
  /** The normalized language in use ('' for English). */
  readonly language: string;
}

type Env = ReturnType<typeof Handlebars.create>;
type Mode = 'html' | 'plain';

// Explicitly the Handlebars defaults: templates are user input and must never reach prototypes.
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

/** Subjects and titles are one line (a mail header, a chat title); a YAML block's trailing newline is noise everywhere. */
function finish(kind: RenderKind, output: string): string {
  return kind === 'subject' || kind === 'title' ? output.replace(/\s*[\r\n]+\s*/g, ' ').trim() : output.trimEnd();
}

export function createRenderer(opts: RendererOptions): TemplateRenderer {
  const language = normalizeLanguage(opts.language);
  const { sources, broken, packs, problems } = collectSources({
    templates: opts.templates,
    builtins: BUILTIN_TEMPLATES,
    // Parsing only checks syntax and touches no environment state, so the shared parser is safe here.
    parse: (source) => Handlebars.parse(source),
  });
  const pack = packs.get(language);
  const builtinPack = BUILTIN_LANGUAGE_PACKS[language];
  if (!isEnglish(language) && !pack && !builtinPack) {
    problems.push({ message: `language "${language}" has no language pack; the templates' own words are used` });
  }
  const helpers = helperTable({
    language,
    dictionary: { ...builtinPack, ...pack },
    now: opts.now ?? ((): Date => new Date()),
  });

  // One isolated environment per escaping mode: Handlebars compiles a partial with the options of
  // the template that first calls it and caches it on the environment, so sharing one environment
  // would let an HTML-escaped partial leak into plain text (or an unescaped one into HTML).
  const environment = (): Env => {
    const env = Handlebars.create();
    for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
    for (const [name, { source }] of sources) if (!broken.has(name)) env.registerPartial(name, source);
    return env;
  };
  const envs: Record<Mode, Env> = { html: environment(), plain: environment() };
  const compiled = new Map<string, Handlebars.TemplateDelegate<TemplateData>>();

  const compile = (mode: Mode, name: string): Handlebars.TemplateDelegate<TemplateData> => {
    const key = `${mode}\u0000${name}`;
    let fn = compiled.get(key);
    if (!fn) {
      const source = sources.get(name)?.source ?? '';
      fn = envs[mode].compile<TemplateData>(source, { noEscape: mode === 'plain', strict: false });
      compiled.set(key, fn);
    }
    return fn;
  };

  const check = (name: string): void => {
    if (SENTINEL_TEMPLATES.has(name)) throw new TemplateError(name, 'sentinel', 'is a sentinel name, not a renderable template');
    const reason = broken.get(name);
    if (reason !== undefined) throw new TemplateError(name, 'invalid', reason);
    if (!sources.has(name)) throw new TemplateError(name, 'unknown', 'no such template (not built in, not in any Template object)');
  };

  return {
    language,
    render(kind, name, data): string {
      const template = name ?? DEFAULT_TEMPLATES[kind];
      check(template);
      try {
        return finish(kind, compile(kind === 'html' ? 'html' : 'plain', template)(data, RUNTIME_OPTIONS));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new TemplateError(template, 'render', `rendering failed: ${detail}`, { cause: error });
      }
    },
    validate: () => problems.map((p) => ({ ...p })),
    has: (name) => !SENTINEL_TEMPLATES.has(name) && !broken.has(name) && sources.has(name),
    ownerOf: (name) => sources.get(name)?.object,
  };
}
