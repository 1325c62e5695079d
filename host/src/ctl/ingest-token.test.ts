import { describe, expect, it } from 'vitest';
import { alertmanagerSnippet } from './ingest-token.js';

describe('alertmanagerSnippet', () => {
  it('uses the ServiceAccount token when Alertmanagers were bound, and the copied token where it was copied', () => {
    const both = alertmanagerSnippet({ tls: false, serviceAccounts: true, tokenCopies: ['monitoring'] });
    expect(both).toContain('      - url: http://herald-agent.herald-system.svc:19093/api/v2/alerts');
    expect(both).toContain('            credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(both).toContain('            credentials_file: /etc/alertmanager/secrets/herald-ingest-token/token');
    expect(both).toContain('the Secret herald-ingest-token in monitoring');
    const saOnly = alertmanagerSnippet({ tls: false, serviceAccounts: true, tokenCopies: [] });
    expect(saOnly).not.toContain('herald-ingest-token/token');
  });

  it('without either, points at the token Secret join made and says how to copy it; over TLS, https and a CA', () => {
    const none = alertmanagerSnippet({ tls: true, serviceAccounts: false, tokenCopies: [] });
    expect(none).toContain('url: https://herald-agent.herald-system.svc:19093/api/v2/alerts');
    expect(none).toContain('herald-system/herald-agent-ingest-token (copy it next to Alertmanager with --alertmanager-token-namespace)');
    expect(none).toContain('ca_file:');
  });
});
