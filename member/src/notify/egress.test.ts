import { describe, expect, it } from 'vitest';
import {
  EgressDeniedError,
  INLINE_DENY,
  OPEN_EGRESS,
  addressAllowed,
  deniedBy,
  egressDenialOf,
  egressPolicyOf,
  inlinePolicy,
  ipBytes,
  parseCidr,
  type EgressPolicy,
} from './egress.js';

const policy = (...deny: string[]): EgressPolicy => ({ deny: deny.map(parseCidr) });

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 blocks and clears host bits', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ text: '10.0.0.0/8', family: 4, bytes: [10, 0, 0, 0], prefix: 8 });
    expect(parseCidr('192.168.1.77/20').bytes).toEqual([192, 168, 0, 0]);
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ family: 4, bytes: [0, 0, 0, 0], prefix: 0 });
    expect(parseCidr('fe80::1/10')).toMatchObject({ family: 6, bytes: [0xfe, 0x80, ...new Array<number>(14).fill(0)], prefix: 10 });
    expect(parseCidr('::1/128').bytes).toEqual([...new Array<number>(15).fill(0), 1]);
    expect(parseCidr('2001:db8:0:0:0:0:0:ff/128').bytes.slice(14)).toEqual([0, 0xff]);
  });

  it('keeps an IPv4-mapped IPv6 block as the IPv4 block it maps', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ family: 4, bytes: [10, 0, 0, 0], prefix: 8 });
    expect(parseCidr('::ffff:7f00:0/104')).toMatchObject({ family: 4, bytes: [127, 0, 0, 0], prefix: 8 });
  });

  it.each([
    ['10.0.0.0', 'it needs a /prefix'],
    ['10.0.0/8', '"10.0.0" is not an IP address'],
    ['10.0.0.256/8', 'is not an IP address'],
    ['example.com/8', 'is not an IP address'],
    ['fe80::1%eth0/64', 'is not an IP address'],
    ['10.0.0.0/33', 'the prefix must be 0 to 32'],
    ['fd00::/129', 'the prefix must be 0 to 128'],
    ['10.0.0.0/-1', 'the prefix must be 0 to 32'],
    ['10.0.0.0/', 'the prefix must be 0 to 32'],
    ['10.0.0.0/8/8', 'the prefix must be 0 to 32'],
  ])('refuses %s: %s', (text, reason) => {
    expect(() => parseCidr(text)).toThrow(reason);
  });
});

describe('ipBytes', () => {
  it('reads plain, bracketed and zoned addresses, and nothing else', () => {
    expect(ipBytes('127.0.0.1')).toEqual([127, 0, 0, 1]);
    expect(ipBytes('[::1]')).toEqual([...new Array<number>(15).fill(0), 1]);
    expect(ipBytes('fe80::1%eth0')?.slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(ipBytes('::ffff:127.0.0.1')?.slice(10)).toEqual([0xff, 0xff, 127, 0, 0, 1]);
    expect(ipBytes('localhost')).toBeUndefined();
    expect(ipBytes('127.1')).toBeUndefined();
    expect(ipBytes('')).toBeUndefined();
  });
});

describe('addressAllowed', () => {
  it('checks IPv4 addresses at the edges of a block', () => {
    const p = policy('10.0.0.0/8', '172.16.0.0/12', '192.0.2.7/32');
    expect(addressAllowed('9.255.255.255', p)).toBe(true);
    expect(addressAllowed('10.0.0.0', p)).toBe(false);
    expect(addressAllowed('10.255.255.255', p)).toBe(false);
    expect(addressAllowed('11.0.0.0', p)).toBe(true);
    expect(addressAllowed('172.15.255.255', p)).toBe(true);
    expect(addressAllowed('172.16.0.0', p)).toBe(false);
    expect(addressAllowed('172.31.255.255', p)).toBe(false);
    expect(addressAllowed('172.32.0.0', p)).toBe(true);
    expect(addressAllowed('192.0.2.7', p)).toBe(false);
    expect(addressAllowed('192.0.2.8', p)).toBe(true);
  });

  it('checks IPv6 addresses at the edges of a block', () => {
    const p = policy('fd00::/8', 'fe80::/10', '::1/128');
    expect(addressAllowed('fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', p)).toBe(true);
    expect(addressAllowed('fd00::', p)).toBe(false);
    expect(addressAllowed('fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', p)).toBe(false);
    expect(addressAllowed('fe00::', p)).toBe(true);
    expect(addressAllowed('fe80::1', p)).toBe(false);
    expect(addressAllowed('febf:ffff::', p)).toBe(false);
    expect(addressAllowed('fec0::', p)).toBe(true);
    expect(addressAllowed('::1', p)).toBe(false);
    expect(addressAllowed('::2', p)).toBe(true);
    expect(addressAllowed('fe80::1%eth0', p)).toBe(false);
  });

  it('checks IPv4-mapped IPv6 addresses as IPv4, and nothing else across families', () => {
    const p = policy('127.0.0.0/8');
    expect(addressAllowed('::ffff:127.0.0.1', p)).toBe(false);
    expect(addressAllowed('::ffff:7f00:1', p)).toBe(false);
    expect(addressAllowed('[::ffff:127.0.0.1]', p)).toBe(false);
    expect(addressAllowed('::ffff:128.0.0.1', p)).toBe(true);
    // ::127.0.0.1 (IPv4-compatible, deprecated) and ::1 are IPv6 addresses, not 127.0.0.1.
    expect(addressAllowed('::127.0.0.1', p)).toBe(true);
    expect(addressAllowed('::1', p)).toBe(true);
    expect(addressAllowed('127.0.0.1', policy('::1/128'))).toBe(true);
    expect(addressAllowed('10.1.2.3', policy('::ffff:10.0.0.0/104'))).toBe(false);
    expect(addressAllowed('2001:db8::1', policy('0.0.0.0/0'))).toBe(true);
    expect(addressAllowed('2001:db8::1', policy('::/0'))).toBe(false);
  });

  it('says which rule denied, and denies what is no address when anything is denied', () => {
    const p = policy('10.0.0.0/8', '127.0.0.0/8');
    expect(deniedBy('127.0.0.1', p)).toBe('127.0.0.0/8');
    expect(deniedBy('8.8.8.8', p)).toBeUndefined();
    expect(deniedBy('not-an-ip', p)).toBe('not an IP address');
    expect(deniedBy('127.0.0.1', OPEN_EGRESS)).toBeUndefined();
  });
});

describe('INLINE_DENY and inlinePolicy', () => {
  const inline = inlinePolicy(policy('10.0.0.0/8'));

  it.each(['127.0.0.1', '127.255.255.254', '::1', '169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', '239.255.255.255', 'ff02::1', '10.1.1.1'])(
    'denies %s',
    (ip) => expect(addressAllowed(ip, inline)).toBe(false),
  );

  it.each(['192.168.1.1', '8.8.8.8', '2001:db8::1', '169.255.0.1', '1.0.0.0', '223.255.255.255', '240.0.0.1'])('allows %s', (ip) =>
    expect(addressAllowed(ip, inline)).toBe(true),
  );

  it('adds to the Settings list and keeps it failing closed', () => {
    expect(inline.deny.map((b) => b.text)).toEqual(['10.0.0.0/8', ...INLINE_DENY.map((b) => b.text)]);
    const broken = inlinePolicy(egressPolicyOf(['nope']));
    expect(deniedBy('8.8.8.8', broken)).toMatch(/^every address: /);
  });
});

describe('egressPolicyOf', () => {
  it('denies nothing by default', () => {
    expect(egressPolicyOf(undefined)).toEqual({ deny: [] });
    expect(egressPolicyOf([])).toEqual({ deny: [] });
  });

  it('fails closed on an unreadable entry, naming it', () => {
    const p = egressPolicyOf(['10.0.0.0/8', '10.0.0.0/33']);
    expect(p.invalid).toBe('spec.egress.deny[1]: "10.0.0.0/33" is not a CIDR block: the prefix must be 0 to 32');
    expect(deniedBy('8.8.8.8', p)).toBe(`every address: ${p.invalid}`);
    expect(addressAllowed('2001:db8::1', p)).toBe(false);
  });
});

describe('EgressDeniedError', () => {
  it('names the address, the host it came from and the rule', () => {
    expect(new EgressDeniedError('127.0.0.1', 'localhost', '127.0.0.0/8', false).message).toBe(
      'address 127.0.0.1 (of localhost) is denied by the outbound policy (127.0.0.0/8)',
    );
    expect(new EgressDeniedError('127.0.0.1', '127.0.0.1', '127.0.0.0/8', false).message).toBe('address 127.0.0.1 is denied by the outbound policy (127.0.0.0/8)');
    expect(new EgressDeniedError('::1', '[::1]', '::1/128', false).message).toBe('address ::1 is denied by the outbound policy (::1/128)');
  });

  it('is found however a client wrapped it', () => {
    const denied = new EgressDeniedError('10.0.0.1', 'db', '10.0.0.0/8', false);
    expect(egressDenialOf(denied)).toBe(denied);
    expect(egressDenialOf(new Error('fetch failed', { cause: denied }))).toBe(denied);
    expect(egressDenialOf({ code: 'slack_webapi_request_error', original: new Error('axios', { cause: denied }) })).toBe(denied);
    expect(egressDenialOf(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(egressDenialOf(undefined)).toBeUndefined();
  });
});

describe('inlinePolicy beyond link-local', () => {
  it('denies the metadata services outside 169.254/16 and the agent’s own addresses', () => {
    const policy = inlinePolicy(egressPolicyOf([]), ['10.1.2.3', 'fe80::1%eth0', 'not-an-ip', '2001:db8::5']);
    for (const ip of ['100.100.100.200', '168.63.129.16', 'fd00:ec2::254', 'fd20:ce::254', '10.1.2.3', '::ffff:10.1.2.3', '2001:db8::5']) expect(addressAllowed(ip, policy), ip).toBe(false);
    for (const ip of ['10.1.2.4', '8.8.8.8', '2001:db8::6']) expect(addressAllowed(ip, policy), ip).toBe(true);
  });
});
