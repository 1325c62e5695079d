/**
 * A fake AWS SNS Query endpoint for Publish to a PhoneNumber that checks requests as SNS does:
 * Signature Version 4 recomputed here (independently of the signer the notifier uses) over the
 * headers it names, the credential scope (date/region/sns/aws4_request), a 5-minute X-Amz-Date
 * window, an E.164 number and at most 1,600 characters. It answers with SNS's XML replies.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface AwsSend {
  number: string;
  text: string;
}

type AwsMode = 'ok' | 'throttled' | 'unavailable';

export interface FakeAws {
  apiUrl: string;
  requests: RecordedRequest[];
  sends: AwsSend[];
  mode: AwsMode;
  /** Numbers that have opted out of SMS: Publish answers InvalidParameter for them. */
  optedOut: Set<string>;
  close(): Promise<void>;
}

const SKEW_MS = 5 * 60_000;
const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/sns\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlError(status: number, code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): Reply {
  const body = `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

function amzTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function checkDate(amzDate: string): Reply | undefined {
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const now = Date.now();
  if (!Number.isNaN(at) && Math.abs(now - at) <= SKEW_MS) return undefined;
  return xmlError(403, 'SignatureDoesNotMatch', `Signature expired: ${amzDate} is now earlier than ${amzTime(now - SKEW_MS)} (${amzTime(now)} - 5 min.)`);
}

function checkScope(got: { region: string | undefined; date: string; amzDate: string; names: string[] }, region: string): Reply | undefined {
  if (got.region === region && got.amzDate.startsWith(got.date) && got.names.includes('host') && got.names.includes('x-amz-date')) return undefined;
  return xmlError(403, 'SignatureDoesNotMatch', 'Credential should be scoped to a valid region and date, and sign host and x-amz-date.');
}

function checkSigV4(req: RecordedRequest, keys: { id: string; secret: string; region: string }): Reply | undefined {
  const m = AUTH.exec(req.headers.authorization ?? '');
  if (!m) return xmlError(400, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.');
  const [, id, date = '', region, signedHeaders = '', signature] = m;
  if (id !== keys.id) return xmlError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const names = signedHeaders.split(';');
  const bad = checkDate(amzDate) ?? checkScope({ region, date, amzDate, names }, keys.region);
  if (bad) return bad;
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = `${req.method}\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256(req.body)}`;
  const scope = `${date}/${region}/sns/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonicalRequest)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${keys.secret}`, date), region ?? ''), 'sns'), 'aws4_request');
  if (createHmac('sha256', key).update(stringToSign).digest('hex') !== signature) {
    return xmlError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return undefined;
}

export async function startFakeAws(opts: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<FakeAws> {
  const fake = { sends: [] as AwsSend[], mode: 'ok' as AwsMode, optedOut: new Set<string>() };
  const publish = (form: URLSearchParams): Reply => {
    if (form.get('Action') !== 'Publish' || form.get('Version') !== '2010-03-31') return xmlError(400, 'InvalidAction', 'The action or operation requested is invalid.');
    const number = form.get('PhoneNumber') ?? '';
    const text = form.get('Message') ?? '';
    if (!/^\+[1-9]\d{4,19}$/.test(number)) return xmlError(400, 'InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${number} is not valid to publish to`);
    if (fake.optedOut.has(number)) return xmlError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: the phone number has opted out');
    if ([...text].length > 1600 || text === '') return xmlError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
    fake.sends.push({ number, text });
    const id = randomUUID();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="${NS}">\n  <PublishResult>\n    <MessageId>${id}</MessageId>\n  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n`,
    };
  };
  const handler = (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.url !== '/') return xmlError(404, 'NotFound', 'Not found.');
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return xmlError(400, 'MalformedQueryString', 'Expected form-encoded parameters.');
    const bad = checkSigV4(req, { id: opts.accessKeyId, secret: opts.secretAccessKey, region: opts.region });
    if (bad) return bad;
    if (fake.mode === 'throttled') return xmlError(400, 'Throttling', 'Rate exceeded');
    if (fake.mode === 'unavailable') return xmlError(503, 'ServiceUnavailable', 'Service is unavailable.', 'Receiver');
    return publish(new URLSearchParams(req.body));
  };
  const server = await startHttpServer({ handler });
  return Object.assign(fake, { apiUrl: `${server.origin}/`, requests: server.requests, close: () => server.close() });
}
