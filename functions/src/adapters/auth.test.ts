import { describe, expect, it } from 'vitest';
import { AuthenticationError, bearerToken } from './auth.js';

describe('bearerToken', () => {
  it('takes the token from a Bearer header, any case, surrounding space ignored', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('  bearer   abc ')).toBe('abc');
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['Basic dXNlcjpwYXNz', 'malformed'],
    ['Bearer', 'malformed'],
    ['Bearer a b', 'malformed'],
  ])('rejects %j as %s', (header, kind) => {
    let caught: unknown;
    try {
      bearerToken(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthenticationError);
    expect((caught as AuthenticationError).kind).toBe(kind);
    expect((caught as AuthenticationError).message).toContain('Bearer <Firebase ID token>');
  });
});
