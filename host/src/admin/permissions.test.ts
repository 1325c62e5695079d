import { describe, expect, it } from 'vitest';
import { adminPermission } from './permissions.js';

const req = (method: string, url: string, params: unknown = {}, query: unknown = {}) => ({ method, routeOptions: { url }, params, query });

describe('adminPermission', () => {
  it('asks for the virtual subresource of the member a request names, or of all members', () => {
    expect(adminPermission(req('POST', '/api/v1/clusters/:cluster/verify', { cluster: 'member-a' }))?.attributes).toEqual([
      { verb: 'create', group: 'herald.dev', resource: 'memberclusters', subresource: 'verify', name: 'member-a' },
    ]);
    expect(adminPermission(req('POST', '/api/v1/verify'))?.attributes).toEqual([{ verb: 'create', group: 'herald.dev', resource: 'memberclusters', subresource: 'verify' }]);
    expect(adminPermission(req('GET', '/api/v1/history', {}, { cluster: 'member-b' }))?.attributes).toEqual([
      { verb: 'get', group: 'herald.dev', resource: 'memberclusters', subresource: 'history', name: 'member-b' },
    ]);
    expect(adminPermission(req('GET', '/api/v1/history'))?.attributes).toEqual([{ verb: 'get', group: 'herald.dev', resource: 'memberclusters', subresource: 'history' }]);
  });

  it('lists what the read-only views show, and refuses a route it has no entry for', () => {
    expect(adminPermission(req('GET', '/api/v1/clusters'))?.attributes).toEqual([{ verb: 'list', group: 'herald.dev', resource: 'memberclusters' }]);
    expect(adminPermission(req('GET', '/api/v1/propagation'))?.attributes.map((a) => a.resource)).toContain('receivers');
    expect(adminPermission(req('DELETE', '/api/v1/clusters'))).toBeUndefined();
    expect(adminPermission(req('GET', '/api/v1/clusters/:cluster/verify'))).toBeUndefined();
  });
});
