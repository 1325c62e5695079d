/** The agent's template engine: rendering, template choice and message splitting. */
export { createRenderer, type RendererOptions, type TemplateRenderer } from './renderer.js';
export { TemplateError, type TemplateErrorCode } from './errors.js';
export { DEFAULT_TEMPLATES, SENTINEL_TEMPLATES, type RenderKind } from './builtin.js';
export type { TemplateProblem } from './sources.js';
export { chooseTemplate, type TemplateChoice } from './precedence.js';
export { sizeOf, splitMessage, utf8Length, type SizeUnit } from './split.js';
