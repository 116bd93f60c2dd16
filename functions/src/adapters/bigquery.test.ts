import { describe, expect, it } from 'vitest';
import { describeInsertError } from './bigquery.js';

describe('describeInsertError', () => {
  it('names each rejected event and the reason', () => {
    // The shape @google-cloud/bigquery gives a PartialFailureError for insertErrors.
    const partial = Object.assign(new Error('A failure occurred during this request.'), {
      name: 'PartialFailureError',
      errors: [
        {
          errors: [{ reason: 'invalid', message: 'Cannot convert value to integer.' }],
          row: { insertId: 'e-1', json: { eventId: 'e-1' } },
        },
        {
          errors: [{ reason: 'stopped', message: '' }],
          row: { insertId: 'e-2', json: { eventId: 'e-2' } },
        },
      ],
    });
    const described = describeInsertError(partial) as Error;
    expect(described.message).toBe(
      'BigQuery rejected 2 row(s) of rating_events: event e-1: invalid: Cannot convert value to integer.; event e-2: stopped: ',
    );
    expect(described.cause).toBe(partial);
  });

  it('passes any other error through unchanged', () => {
    const other = new Error('Not Found');
    expect(describeInsertError(other)).toBe(other);
  });
});
