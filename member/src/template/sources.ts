/**
 * Reads Template objects into template sources and language packs. Objects arrive from the API
 * server, so they are normally valid, but the agent must survive one that is not: anything wrong
 * is recorded as a problem naming the object and skipped, and the rest is still used.
 */
import type { Template } from '@herald/shared';
import { SENTINEL_TEMPLATES } from './builtin.js';
import { normalizeLanguage } from './language.js';

/** Something wrong in a Template object (or in the language setting, then without `object`). */
export interface TemplateProblem {
  /** The Template object's name. */
  object?: string;
  /** The template name within it, when the problem is one template. */
  template?: string;
  message: string;
}

interface TemplateSource {
  source: string;
  /** The Template object that defined it; undefined for built-ins. */
  object?: string;
}

export interface CollectedSources {
  sources: Map<string, TemplateSource>;
  /** Sources that failed to parse, by name, with the parser's message: rendering them says why. */
  broken: Map<string, string>;
  /** Packs by normalized language, merged in object-name order. */
  packs: Map<string, Record<string, string>>;
  problems: TemplateProblem[];
}

type Parse = (source: string) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(object: unknown, index: number): string {
  const meta = isRecord(object) ? object.metadata : undefined;
  const name = isRecord(meta) ? meta.name : undefined;
  return typeof name === 'string' && name !== '' ? name : `#${index} (unnamed)`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function addTemplates(args: { out: CollectedSources; object: string; templates: unknown; parse: Parse }): void {
  const { out, object, templates, parse } = args;
  if (templates === undefined) return;
  if (!isRecord(templates)) {
    out.problems.push({ object, message: 'spec.templates is not a map of name to source' });
    return;
  }
  for (const [template, source] of Object.entries(templates)) {
    const problem = (message: string): void => void out.problems.push({ object, template, message });
    if (typeof source !== 'string') problem('the source is not a string');
    else if (SENTINEL_TEMPLATES.has(template)) problem('this name is reserved (a sentinel, not a template); ignored');
    else if (out.sources.get(template)?.object !== undefined) {
      problem(`also defined by Template "${out.sources.get(template)?.object}", whose definition is used`);
    } else {
      try {
        parse(source);
        out.sources.set(template, { source, object });
        out.broken.delete(template);
      } catch (error) {
        out.broken.set(template, `does not compile (Template "${object}"): ${errorText(error)}`);
        problem(`does not compile: ${errorText(error)}`);
      }
    }
  }
}

function addPacks(out: CollectedSources, object: string, packs: unknown): void {
  if (packs === undefined) return;
  if (!Array.isArray(packs)) {
    out.problems.push({ object, message: 'spec.languagePack is not a list' });
    return;
  }
  for (const [i, pack] of packs.entries()) {
    const language = isRecord(pack) && typeof pack.name === 'string' ? normalizeLanguage(pack.name) : '';
    const dictionary = isRecord(pack) ? pack.dictionary : undefined;
    if (language === '' || !isRecord(dictionary)) {
      out.problems.push({ object, message: `spec.languagePack[${i}] needs a name and a dictionary` });
      continue;
    }
    const merged = out.packs.get(language) ?? {};
    for (const [word, translation] of Object.entries(dictionary)) {
      if (typeof translation === 'string') merged[word] = translation;
      else out.problems.push({ object, message: `spec.languagePack[${i}]: the translation of "${word}" is not a string` });
    }
    out.packs.set(language, merged);
  }
}

/**
 * Built-ins first, then each Template object in name order (so the result does not depend on
 * the order the API server listed them). A Template may replace a built-in; when two Templates
 * define one name, the first by object name wins and the other is reported.
 */
export function collectSources(args: {
  templates: readonly Template[];
  builtins: Readonly<Record<string, string>>;
  parse: Parse;
}): CollectedSources {
  const out: CollectedSources = { sources: new Map(), broken: new Map(), packs: new Map(), problems: [] };
  for (const [name, source] of Object.entries(args.builtins)) out.sources.set(name, { source });
  const objects = args.templates
    .map((object, index) => ({ object, name: nameOf(object, index) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { object, name } of objects) {
    const spec = isRecord(object) ? object.spec : undefined;
    if (!isRecord(spec)) {
      out.problems.push({ object: name, message: 'has no spec' });
      continue;
    }
    addTemplates({ out, object: name, templates: spec.templates, parse: args.parse });
    addPacks(out, name, spec.languagePack);
  }
  return out;
}
