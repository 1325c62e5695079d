/**
 * The images heraldctl installs unless told otherwise (--image): Herald's release images, tagged
 * with this build's version, so a heraldctl installs the agent and host of its own release.
 * Point --image (or the charts' image.repository/tag) at a registry of your own to use a mirror.
 */
import { HERALD_VERSION } from '@herald/shared';

const IMAGE_REPOSITORY = 'ghcr.io/herald-dev';

export const agentImage = (version: string = HERALD_VERSION): string => `${IMAGE_REPOSITORY}/herald-agent:${version}`;
const hostImage = (version: string = HERALD_VERSION): string => `${IMAGE_REPOSITORY}/herald-host:${version}`;

export const DEFAULT_AGENT_IMAGE = agentImage();
export const DEFAULT_HOST_IMAGE = hostImage();
