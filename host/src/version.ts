/**
 * The host's and heraldctl's version: the root package.json's, which version.test.ts keeps this
 * equal to (a constant, so the compiled CLI needs no package.json at run time).
 */
export const HOST_VERSION = '0.1.0';
