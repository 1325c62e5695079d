/** Herald's version lives in shared (host and heraldctl need it too); kept here for member's imports. */
export { HERALD_VERSION } from '@herald/shared';
