import { getFunction } from '@google-cloud/functions-framework/testing';
import { describe, expect, it } from 'vitest';

describe('functions/src/index.ts', () => {
  it('registers every entry point without creating clients at import', async () => {
    // No configuration in this environment: importing must not parse it or connect anywhere.
    await import('./index.js');
    for (const name of ['rateMovie', 'ingestRating', 'retrainModel', 'republishUsers']) {
      expect(typeof getFunction(name), name).toBe('function');
    }
  });
});
