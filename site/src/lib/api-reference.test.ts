import { readFileSync } from 'node:fs';
import { openApiDocument } from '@reel/functions/api';
import { describe, expect, it } from 'vitest';
import { apiOperations } from './api-reference.js';

describe('apiOperations', () => {
  it('lists every operation of the api function’s document with what a caller needs', () => {
    const operations = apiOperations(openApiDocument());
    expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toContain(
      'POST /v1/ratings',
    );
    expect(operations).toHaveLength(11);
    const rate = operations.find((operation) => operation.id === 'rateMovie')!;
    expect(rate).toMatchObject({ signedIn: true, body: 'RateRequest' });
    expect(rate.responses.map((response) => response.status)).toEqual([
      '202',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '503',
    ]);
    const popular = operations.find((operation) => operation.id === 'getPopularMovies')!;
    expect(popular.signedIn).toBe(false);
    expect(popular.parameters.map((parameter) => parameter.name)).toEqual([
      'limit',
      'genre',
      'decade',
    ]);
  });

  it('refuses a document without paths', () => {
    expect(() => apiOperations({ openapi: '3.1.0' })).toThrow('the OpenAPI document has no paths');
  });
});

describe('the curl example', () => {
  it('is the same in docs/api.md as on the /developers/ page (docs/api-example.sh)', () => {
    const root = new URL('../../../', import.meta.url);
    const example = readFileSync(new URL('docs/api-example.sh', root), 'utf8');
    expect(readFileSync(new URL('docs/api.md', root), 'utf8')).toContain(example);
  });
});
