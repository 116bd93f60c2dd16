import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retrainMessage } from './trigger-retrain.js';

describe('retrainMessage', () => {
  it('has the shape of the message Cloud Scheduler publishes (terraform/scheduler.tf)', () => {
    const scheduler = readFileSync(
      new URL('../../../terraform/scheduler.tf', import.meta.url),
      'utf8',
    );
    // data = base64encode(jsonencode({ trigger = "schedule" })), attributes = { trigger = ... }
    expect(scheduler).toMatch(
      /data\s*=\s*base64encode\(jsonencode\(\{ trigger = "schedule" \}\)\)/,
    );
    expect(scheduler).toMatch(/attributes\s*=\s*\{ trigger = "schedule" \}/);
    const message = retrainMessage('schedule');
    expect(JSON.parse(message.data.toString())).toEqual({ trigger: 'schedule' });
    expect(message.attributes).toEqual({ trigger: 'schedule' });
  });

  it('carries the trainer asked for', () => {
    expect(JSON.parse(retrainMessage('manual', 'spark').data.toString())).toEqual({
      trigger: 'manual',
      trainer: 'spark',
    });
  });
});
