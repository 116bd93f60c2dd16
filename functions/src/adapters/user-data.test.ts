import { describe, expect, it } from 'vitest';
import { isStreamingBufferError } from './user-data.js';

describe('isStreamingBufferError', () => {
  it('recognises BigQuery’s refusal of DML on rows in the streaming buffer', () => {
    expect(
      isStreamingBufferError(
        new Error(
          'UPDATE or DELETE statement over table reel-prod.reel.rating_events would affect rows in the streaming buffer, which is not supported',
        ),
      ),
    ).toBe(true);
    expect(isStreamingBufferError(new Error('Not found: Table reel-prod:reel.deletions'))).toBe(
      false,
    );
    expect(isStreamingBufferError(undefined)).toBe(false);
  });
});
