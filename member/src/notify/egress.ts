/**
 * The outbound address policy: which IP addresses a send may connect to. Pure: addresses and
 * CIDR blocks are parsed and compared here; egress-connect.ts applies the verdict to the address
 * each connection actually resolves to (so DNS rebinding cannot get past it).
 *
 * Configured receivers may reach any address their Settings does not deny (in-cluster webhooks on
 * private addresses are normal). Inline targets (given by a caller, not by a Herald object) get
 * the stricter policy: the Settings list plus INLINE_DENY.
 */
import { isIP } from 'node:net';

/** A parsed CIDR block; `text` is how the policy was written, for messages. */
export interface CidrBlock {
  readonly text: string;
  readonly family: 4 | 6;
  /** The network address, 4 or 16 bytes, host bits cleared. */
  readonly bytes: readonly number[];
  readonly prefix: number;
}

export interface EgressPolicy {
  readonly deny: readonly CidrBlock[];
  /**
   * Set when the configured list could not be read: then every address is refused (fail closed),
   * retryably, so fixing the Settings lets the sends through.
   */
  readonly invalid?: string;
}

/** No address denied: the default for configured receivers. */
export const OPEN_EGRESS: EgressPolicy = { deny: [] };

/** The bytes of an IP address (4 for IPv4, 16 for IPv6), or undefined if it is none. */
export function ipBytes(ip: string): number[] | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const address = bare.includes('%') ? bare.slice(0, bare.indexOf('%')) : bare;
  const family = isIP(address);
  if (family === 4) return address.split('.').map(Number);
  if (family === 6) return ipv6Bytes(address);
  return undefined;
}

function ipv6Bytes(address: string): number[] {
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
      if (group.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [parseInt(group, 16)];
    });
  };
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) as the IPv4 address it is; other addresses unchanged. */
function unmapped(bytes: readonly number[]): readonly number[] {
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

function masked(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, prefix - i * 8));
    return b & (0xff << (8 - bits)) & 0xff;
  });
}

/**
 * parseCidr reads `10.0.0.0/8`, `fd00::/8` or `::ffff:10.0.0.0/104` (kept as the IPv4 block it
 * maps). Host bits are allowed and cleared, as Go's net.ParseCIDR does. Throws a message that
 * says what is wrong.
 */
export function parseCidr(text: string): CidrBlock {
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`"${text}" is not a CIDR block: it needs a /prefix, e.g. 10.0.0.0/8 or fd00::/8`);
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const raw = address.includes('%') ? undefined : ipBytes(address);
  if (!raw) throw new Error(`"${text}" is not a CIDR block: "${address}" is not an IP address`);
  const max = raw.length * 8;
  const prefix = /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${text}" is not a CIDR block: the prefix must be 0 to ${max}`);
  const v4 = unmapped(raw);
  if (v4.length === 4 && raw.length === 16 && prefix >= 96) {
    return { text, family: 4, bytes: masked(v4, prefix - 96), prefix: prefix - 96 };
  }
  return { text, family: raw.length === 4 ? 4 : 6, bytes: masked(raw, prefix), prefix };
}

function contains(block: CidrBlock, bytes: readonly number[]): boolean {
  if (bytes.length !== block.bytes.length) return false;
  const want = masked(bytes, block.prefix);
  return want.every((b, i) => b === block.bytes[i]);
}

/**
 * The rule that denies `ip` (the block as written), or undefined when the policy allows it. An
 * IPv4-mapped IPv6 address is judged as its IPv4 address; a value that is no IP address at all
 * is denied (a resolver that hands back garbage must not get through).
 */
export function deniedBy(ip: string, policy: EgressPolicy): string | undefined {
  if (policy.invalid !== undefined) return `every address: ${policy.invalid}`;
  if (policy.deny.length === 0) return undefined;
  const raw = ipBytes(ip);
  if (!raw) return 'not an IP address';
  const bytes = unmapped(raw);
  return policy.deny.find((block) => contains(block, bytes))?.text;
}

export function addressAllowed(ip: string, policy: EgressPolicy): boolean {
  return deniedBy(ip, policy) === undefined;
}

/**
 * Loopback, link-local (169.254.169.254 is the cloud metadata service), unspecified, multicast,
 * and the metadata services outside link-local: AWS's IPv6 one, Alibaba Cloud's, Azure's wire
 * server, GCP's IPv6 one.
 */
export const INLINE_DENY: readonly CidrBlock[] = [
  '127.0.0.0/8',
  '::1/128',
  '169.254.0.0/16',
  'fe80::/10',
  '0.0.0.0/8',
  '::/128',
  '224.0.0.0/4',
  'ff00::/8',
  'fd00:ec2::254/128',
  '100.100.100.200/32',
  '168.63.129.16/32',
  'fd20:ce::254/128',
].map(parseCidr);

/**
 * The policy for inline (caller-supplied) targets: the Settings list, INLINE_DENY, and the agent's
 * own addresses (what listens in its pod is not for a caller to reach).
 */
export function inlinePolicy(settings: EgressPolicy, ownAddresses: readonly string[] = []): EgressPolicy {
  const own = ownAddresses.flatMap((ip) => {
    try {
      return [parseCidr(ip.includes(':') ? `${ip}/128` : `${ip}/32`)];
    } catch {
      return [];
    }
  });
  return { ...settings, deny: [...settings.deny, ...INLINE_DENY, ...own] };
}

/**
 * The policy of a Settings deny list. Never throws: an unreadable entry makes the policy refuse
 * every address (`invalid` names the entry), since skipping it would let through what it meant
 * to stop.
 */
export function egressPolicyOf(deny: readonly string[] | undefined, field = 'spec.egress.deny'): EgressPolicy {
  const blocks: CidrBlock[] = [];
  for (const [i, text] of (deny ?? []).entries()) {
    try {
      blocks.push(parseCidr(text));
    } catch (err) {
      return { deny: [], invalid: `${field}[${i}]: ${(err as Error).message}` };
    }
  }
  return { deny: blocks };
}

/** A connection the policy refused: terminal, unless the policy itself is unreadable. */
export class EgressDeniedError extends Error {
  readonly code = 'EHERALDEGRESS';
  constructor(
    readonly address: string,
    readonly host: string,
    readonly rule: string,
    readonly retryable: boolean,
  ) {
    const of = host !== address && `[${address}]` !== host ? ` (of ${host})` : '';
    super(`address ${address}${of} is denied by the outbound policy (${rule})`);
    this.name = 'EgressDeniedError';
  }
}

/** The verdict on one address of `host` as an error, or undefined when it is allowed. */
export function denial(address: string, host: string, policy: EgressPolicy): EgressDeniedError | undefined {
  const rule = deniedBy(address, policy);
  return rule === undefined ? undefined : new EgressDeniedError(address, host, rule, policy.invalid !== undefined);
}

/** The EgressDeniedError behind a failure, however deep a client library wrapped it. */
export function egressDenialOf(err: unknown): EgressDeniedError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof EgressDeniedError) return current;
    // Errors nest as `cause` (undici, axios) or `original` (the Slack SDK's RequestError).
    const { cause, original } = current as { cause?: unknown; original?: unknown };
    current = cause ?? original;
  }
  return undefined;
}
