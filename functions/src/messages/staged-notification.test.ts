import { describe, expect, it } from 'vitest';
import { isStorageNotification, stagedEventOf } from './staged-notification.js';

const finalize = (objectId: string) => ({
  eventType: 'OBJECT_FINALIZE',
  objectId,
  bucketId: 'demo-reel-models',
  payloadFormat: 'JSON_API_V1',
});

describe('a Cloud Storage notification on staging/', () => {
  it('starts the publish step when a version’s manifest arrives', () => {
    expect(
      stagedEventOf(finalize('staging/20261206T0315Z-ab12/manifest.json'), 'demo-reel-models'),
    ).toEqual({
      kind: 'staged',
      version: '20261206T0315Z-ab12',
    });
  });

  it('records a failure when its failed.json arrives', () => {
    expect(stagedEventOf(finalize('staging/v7/failed.json'), 'demo-reel-models')).toEqual({
      kind: 'failed',
      version: 'v7',
      object: 'staging/v7/failed.json',
    });
  });

  it('ignores the other files of a version, other prefixes, other events and bad versions', () => {
    for (const attributes of [
      finalize('staging/v7/ranking-item-factors.f32'),
      finalize('models/v7/manifest.json'),
      finalize('staging/manifest.json'),
      finalize('staging/../manifest.json'),
      { ...finalize('staging/v7/manifest.json'), eventType: 'OBJECT_DELETE' },
      { ...finalize('staging/v7/manifest.json'), bucketId: 'another-bucket' },
    ]) {
      expect(stagedEventOf(attributes, 'demo-reel-models').kind).toBe('ignored');
    }
  });

  it('tells a notification from a retrain request by its attributes', () => {
    expect(isStorageNotification(finalize('staging/v7/manifest.json'))).toBe(true);
    expect(isStorageNotification({})).toBe(false);
  });
});
