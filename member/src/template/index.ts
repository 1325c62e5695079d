/**
 * What the pipeline takes from the agent's template engine: template choice and its error. The
 * renderer, sources and message splitting are imported from their own modules.
 */
export { TemplateError } from './errors.js';
export { chooseTemplate } from './precedence.js';
