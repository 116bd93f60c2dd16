import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

describe('clientAddress', () => {
  it.each([
    // Through Hosting: the client's address, then Hosting's, each appended by a proxy.
    ['203.0.113.7, 35.191.0.1', 2, '203.0.113.7'],
    // What the client sent itself is left of what the proxies appended, and ignored.
    ['6.6.6.6, 203.0.113.7, 35.191.0.1', 2, '203.0.113.7'],
    ['1.1.1.1,2.2.2.2 , 203.0.113.7,35.191.0.1', 2, '203.0.113.7'],
    // A direct call (one proxy appended the client): the leftmost there is.
    ['203.0.113.7', 2, '203.0.113.7'],
    ['6.6.6.6, 203.0.113.7', 1, '203.0.113.7'],
    ['2001:db8::1, 35.191.0.1', 2, '2001:db8::1'],
  ])('X-Forwarded-For "%s" behind %i proxies is %s', (header, proxies, address) => {
    expect(clientAddress(header, '10.0.0.1', proxies)).toBe(address);
  });

  it('uses the socket’s peer without the header, as an IPv4 address when mapped', () => {
    expect(clientAddress(undefined, '::ffff:127.0.0.1', 2)).toBe('127.0.0.1');
    expect(clientAddress(' , ', '::1', 2)).toBe('::1');
    expect(clientAddress(undefined, undefined, 2)).toBe('unknown');
  });
});
