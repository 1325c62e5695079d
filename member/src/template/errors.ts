/**
 * TemplateError: a template could not be found, compiled or rendered. The pipeline treats every
 * one of them as a configuration error (retrying the same data cannot help), and the message
 * always names the template so the operator knows which object to fix.
 */

/** Why rendering failed: `unknown` and `sentinel` are wrong names, `invalid` a broken source, `render` a runtime failure. */
export type TemplateErrorCode = 'unknown' | 'sentinel' | 'invalid' | 'render';

export class TemplateError extends Error {
  /** The template name that failed, e.g. `nm.default.text`. */
  readonly template: string;
  readonly code: TemplateErrorCode;
  constructor(template: string, code: TemplateErrorCode, detail: string, opts: { cause?: unknown } = {}) {
    super(`template "${template}": ${detail}`, { cause: opts.cause });
    this.name = 'TemplateError';
    this.template = template;
    this.code = code;
  }
}
