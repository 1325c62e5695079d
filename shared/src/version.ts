/**
 * Herald's version: the root package.json's, which version.test.ts keeps this equal to. A constant
 * rather than a read of package.json at run time, because the bundles (agent, host, heraldctl)
 * ship without it.
 */
export const HERALD_VERSION = '0.1.0';
