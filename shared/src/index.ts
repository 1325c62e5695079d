export * from './api/index.js';
export * from './selector/selector.js';
export * from './regex/regex.js';
export * from './credential/credential.js';
export * from './duration/duration.js';
export * from './conditions/conditions.js';
export * from './health/health.js';
export * from './version.js';
