/** Authentication and authorization of HTTP callers: static token files and Kubernetes reviews. */
export * from './authorize.js';
export * from './kube-review.js';
export * from './static-tokens.js';
export * from './hook.js';
export * from './kube-client.js';
