/**
 * Playing the kubelet and the endpoints controllers for a Service on a control plane that has
 * neither: a Running Pod with the address a test process listens on, and the Endpoints and
 * EndpointSlice that point the Service at it, so the API server's service proxy reaches it. The
 * API server refuses loopback addresses, so the address is one test/netns/run.sh gave the
 * namespace the test runs in.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from '../../shared/src/k8s/raw.js';

export async function pointServiceAt(kc: KubeConfig, o: { namespace: string; service: string; portName: string; ip: string; port: number }): Promise<void> {
  const { namespace: ns, service, portName, ip, port } = o;
  const post = (path: string, body: unknown): Promise<string> => rawRequest(kc, 'POST', path, { body: JSON.stringify(body) });
  const pod = JSON.parse(await post(`/api/v1/namespaces/${ns}/pods`, { metadata: { name: `${service}-0`, labels: { 'app.kubernetes.io/name': service } }, spec: { containers: [{ name: 'agent', image: 'herald-agent:test' }] } })) as {
    metadata: { uid: string };
  };
  const status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] };
  await rawRequest(kc, 'PATCH', `/api/v1/namespaces/${ns}/pods/${service}-0/status`, { contentType: 'application/merge-patch+json', body: JSON.stringify({ status }) });
  const targetRef = { kind: 'Pod', name: `${service}-0`, namespace: ns, uid: pod.metadata.uid };
  await post(`/api/v1/namespaces/${ns}/endpoints`, { metadata: { name: service }, subsets: [{ addresses: [{ ip, targetRef }], ports: [{ name: portName, port }] }] });
  await post(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
    metadata: { name: `${service}-test`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true }, targetRef }],
    ports: [{ name: portName, port, protocol: 'TCP' }],
  });
}
