/**
 * The CRDs on a real kube-apiserver: every manifest in examples/ applies and reads back unchanged
 * (nothing pruned or defaulted away), and invalid manifests are rejected with the field named.
 */
import { fileURLToPath } from 'node:url';
import { ApiException, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { API_VERSION, KINDS } from '../../shared/src/index.js';
import { apply, loadManifests, type Manifest } from '../support/manifests.js';

const kc = new KubeConfig();
kc.loadFromFile(inject('kubeconfigs')['host'] as string);
const objects = KubernetesObjectApi.makeApiClient(kc);
const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const manifests = await loadManifests(examplesDir);
/** Kept out of examples/ (applying it would relabel a registered member); its schema is checked here. */
const reference = await loadManifests(fileURLToPath(new URL('../../docs/examples/', import.meta.url)));
const applied: KubernetesObject[] = [];

afterAll(async () => {
  for (const object of applied.reverse().filter((o) => o.kind !== 'Namespace')) {
    await objects.delete(object).catch(() => undefined);
  }
});

/** The part of an object its author wrote: spec, or data for Secrets. */
const authored = (o: Record<string, unknown>): unknown =>
  o['kind'] === 'Secret' ? o['data'] : o['kind'] === 'Namespace' ? null : o['spec'];
const labelsOf = (o: Record<string, unknown>): Record<string, string> =>
  (o['metadata'] as { labels?: Record<string, string> }).labels ?? {};

describe('examples/', () => {
  it('holds a manifest for every seed scenario and every Herald kind but MemberCluster', () => {
    const kinds = new Set(manifests.filter((m) => m.object.apiVersion === API_VERSION).map((m) => m.object.kind));
    expect([...kinds].sort()).toEqual(
      KINDS.map((k) => k.kind).filter((k) => k !== 'MemberCluster').sort(),
    );
    expect(reference.map((m) => m.object.kind)).toEqual(['MemberCluster']);
    const dirs = new Set(manifests.map((m) => m.file.split('/')[0]));
    for (const scenario of ['default-email', 'tenant-email', 'wechat', 'slack', 'webhook', 'dingtalk', 'auditing-receiver', 'custom-template']) {
      expect(dirs.has(scenario), scenario).toBe(true);
    }
  });

  it('applies whole: only Herald objects, their Namespaces and Secrets', () => {
    const foreign = manifests.filter((m) => m.object.apiVersion !== API_VERSION && !(m.object.apiVersion === 'v1' && ['Namespace', 'Secret'].includes(m.object.kind ?? '')));
    expect(foreign.map((m) => `${m.file}: ${m.object.apiVersion} ${m.object.kind}`)).toEqual([]);
  });

  it.each([...manifests, ...reference].map((m) => [`${m.file} ${m.object.kind}/${m.object.metadata?.name}`, m] as const))(
    'applies and reads back unchanged: %s',
    async (_name, manifest: Manifest) => {
      await apply(kc, manifest.object);
      applied.push(manifest.object);
      const stored = (await objects.read(manifest.object as never)) as unknown as Record<string, unknown>;
      expect(authored(stored)).toEqual(authored(manifest.object));
      // The server may add labels of its own (kubernetes.io/metadata.name), never drop ours.
      expect(labelsOf(stored)).toMatchObject(labelsOf(manifest.object));
    },
  );
});

type Case = [description: string, manifest: Record<string, unknown>, field: string, message: string];

let serial = 0;
const obj = (kind: string, spec: unknown, name = `invalid-${++serial}`, labels: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: API_VERSION,
  kind,
  metadata: { name, labels },
  spec,
});
const smtp = { from: 'a@example.com', smartHost: { host: 'smtp.example.com', port: 25 } };
const secretRef = { secretKeyRef: { name: 's', key: 'k' } };

const invalid: Case[] = [
  ['credential with both value and valueFrom', obj('Config', { email: { ...smtp, authPassword: { value: 'x', valueFrom: secretRef } } }), 'spec.email.authPassword', 'exactly one of value or valueFrom must be set'],
  ['credential with neither value nor valueFrom', obj('Config', { slack: { slackTokenSecret: {} } }), 'spec.slack.slackTokenSecret', 'exactly one of value or valueFrom must be set'],
  ['Config without a channel', obj('Config', {}), 'spec', 'needs at least one channel block'],
  ['SMTP port out of range', obj('Config', { email: { ...smtp, smartHost: { host: 'h', port: 70000 } } }), 'spec.email.smartHost.port', 'less than or equal to 65535'],
  ['SMS default provider not configured', obj('Config', { sms: { defaultProvider: 'tencent', providers: { aws: { region: 'us-east-1', accessKeyId: { value: 'a' }, secretAccessKey: { value: 'b' } } } } }), 'spec.sms.defaultProvider', 'defaultProvider must name a configured provider'],
  ['WeChat receiver with no users, parties or tags', obj('Receiver', { wechat: { toUser: [] } }), 'spec.wechat', 'must name at least one of toUser, toParty or toTag'],
  ['webhook receiver with neither url nor service', obj('Receiver', { webhook: { httpConfig: {} } }), 'spec.webhook', 'exactly one of url, urlFrom or service'],
  ['webhook receiver with both url and urlFrom', obj('Receiver', { webhook: { url: 'https://x', urlFrom: secretRef } }), 'spec.webhook', 'exactly one of url, urlFrom or service'],
  ['webhook with basic auth and bearer token', obj('Receiver', { webhook: { url: 'https://x', httpConfig: { basicAuth: { username: 'u' }, bearerToken: { value: 't' } } } }), 'spec.webhook.httpConfig', 'use basicAuth or bearerToken, not both'],
  ['email receiver with no address', obj('Receiver', { email: { to: [] } }), 'spec.email.to', 'should have at least 1 items'],
  ['selector In without values', obj('Receiver', { email: { to: ['a@b.c'], alertSelector: { matchExpressions: [{ key: 'severity', operator: 'In' }] } } }), 'spec.email.alertSelector.matchExpressions[0].values', 'In and NotIn need at least one value'],
  ['selector with an unknown operator', obj('Receiver', { email: { to: ['a@b.c'], alertSelector: { matchExpressions: [{ key: 'severity', operator: 'Like', values: ['x'] }] } } }), 'spec.email.alertSelector.matchExpressions[0].operator', 'Unsupported value: "Like"'],
  ['selector Match without regexValue', obj('Receiver', { slack: { channels: ['#a'], alertSelector: { matchExpressions: [{ key: 'alertname', operator: 'Match' }] } } }), 'spec.slack.alertSelector.matchExpressions[0].regexValue', 'regexValue is required with operator Match'],
  ['Pushover user key of the wrong length', obj('Receiver', { pushover: { profiles: [{ userKey: 'short' }] } }), 'spec.pushover.profiles[0].userKey', 'should match'],
  ['PagerDuty routing key of the wrong length', obj('Receiver', { pagerduty: { routingKey: { value: 'short' } } }), 'spec.pagerduty.routingKey.value', 'routingKey must be the 32-character integration key'],
  ['Opsgenie responder with both id and name', obj('Receiver', { opsgenie: { responders: [{ type: 'team', id: 'x', name: 'sre' }] } }), 'spec.opsgenie.responders[0]', 'exactly one of id, name or username'],
  ['Opsgenie user responder named by name', obj('Receiver', { opsgenie: { responders: [{ type: 'user', name: 'alice' }] } }), 'spec.opsgenie.responders[0]', 'named by username, not name'],
  ['Opsgenie with 21 tags', obj('Receiver', { opsgenie: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }), 'spec.opsgenie.tags', 'must have at most 20 items'],
  ['WeChat Work agent ID that is not a number', obj('Config', { wechat: { wechatApiCorpId: 'ww1', wechatApiAgentId: 'agent-1', wechatApiSecret: { value: 's' } } }), 'spec.wechat.wechatApiAgentId', 'should match'],
  ['DingTalk receiver with no target', obj('Receiver', { dingtalk: { tmplType: 'text' } }), 'spec.dingtalk', 'needs conversation or chatbot'],
  ['Receiver without a channel', obj('Receiver', {}), 'spec', 'needs at least one channel block'],
  ['silence schedule without duration', obj('Silence', { matcher: { matchLabels: { a: 'b' } }, schedule: '0 2 * * *' }), 'spec.duration', 'a schedule needs a duration'],
  ['silence duration that is not a duration', obj('Silence', { matcher: {}, startsAt: '2026-01-01T00:00:00Z', duration: '5 minutes' }), 'spec.duration', 'should match'],
  ['inhibit rule without a target side', obj('InhibitRule', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } } }), 'spec.targetMatch', 'Required value'],
  ['inhibit rule naming an equal label twice', obj('InhibitRule', { sourceMatch: {}, targetMatch: {}, equal: ['node', 'node'] }), 'spec.equal[1]', 'Duplicate value'],
  ['JSON-patch op that RFC 6902 lacks', obj('PropagationPolicy', { resourceSelectors: [{ kind: 'Receiver' }], overrides: [{ clusterNames: ['member-b'], patches: [{ op: 'merge', path: '/spec', value: {} }] }] }), 'spec.overrides[0].patches[0].op', 'Unsupported value: "merge"'],
  ['JSON-patch move without from', obj('PropagationPolicy', { resourceSelectors: [{ kind: 'Receiver' }], overrides: [{ clusterNames: ['member-b'], patches: [{ op: 'move', path: '/spec/a' }] }] }), 'spec.overrides[0].patches[0].from', 'move and copy need from'],
  ['policy selecting a kind that does not propagate', obj('PropagationPolicy', { resourceSelectors: [{ kind: 'Secret' }] }), 'spec.resourceSelectors[0].kind', 'Unsupported value: "Secret"'],
  ['Settings not named default', obj('Settings', { tenantKey: 'namespace' }, 'custom'), '<nil>', 'Settings must be named default'],
  ['unknown route policy', obj('Settings', { routePolicy: 'Sometimes' }, 'default'), 'spec.routePolicy', 'Unsupported value: "Sometimes"'],
  ['egress deny entry that is not a CIDR block', obj('Settings', { egress: { deny: ['10.0.0.0/8', 'metadata.google.internal'] } }, 'default'), 'spec.egress.deny[1]', 'should match'],
  ['audit matcher on an Event rule', obj('Rule', { source: 'Event', audit: { verbs: ['get'] } }), 'spec.audit', 'audit applies only to source Audit'],
  ['router that names no receivers', obj('Router', { alertSelector: {}, receivers: {} }), 'spec.receivers', 'receivers must name at least one of'],
  ['router type that is no channel', obj('Router', { alertSelector: {}, receivers: { name: ['ops'], type: 'fax' } }), 'spec.receivers.type', 'Unsupported value: "fax"'],
  ['router type list with no channel', obj('Router', { alertSelector: {}, receivers: { name: ['ops'], type: ['email', 'fax'] } }), 'spec.receivers.type[1]', 'Unsupported value: "fax"'],
  ['tenant channel type that is a number', obj('Router', { alertSelector: {}, receivers: { channels: [{ tenant: 'sre', type: 7 }] } }), 'spec.receivers.channels[0].type', 'Unsupported value: 7'],
  ['tenant channel type that is an object', obj('Router', { alertSelector: {}, receivers: { channels: [{ tenant: 'sre', type: { email: true } }] } }), 'spec.receivers.channels[0].type', 'must validate at least one schema (anyOf)'],
];

describe('the API server rejects invalid objects and names the field', () => {
  it.each(invalid)('%s', async (_description, manifest, field, message) => {
    let caught: unknown;
    try {
      await objects.create(manifest);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the API server accepted an invalid object').toBeInstanceOf(ApiException);
    const error = caught as ApiException<string>;
    expect(error.code).toBe(422);
    const status = JSON.parse(error.body) as { message: string };
    expect(status.message).toContain(`${field}: `);
    expect(status.message).toContain(message);
  });
});
