import { checkVersion } from '../model-store/bucket-layout.js';

/**
 * What a Cloud Storage notification (OBJECT_FINALIZE, JSON_API_V1) on the models bucket's
 * staging/ prefix says to the publish step: a trainer finished writing a version (its
 * manifest.json arrived, written last), or it failed (its failed.json arrived, with the
 * reason), or nothing (any other file of a version). Cloud Storage sends it in the cloud; the
 * storage emulator sends the same message locally.
 */
export type StagedEvent =
  | { kind: 'staged'; version: string }
  | { kind: 'failed'; version: string; object: string }
  | { kind: 'ignored'; reason: string };

const STAGED_OBJECT = /^staging\/([^/]+)\/(manifest\.json|failed\.json)$/;

/**
 * Classifies a notification by its attributes (`eventType`, `bucketId`, `objectId`); only
 * objects of `bucket` (the models bucket) count.
 */
export function stagedEventOf(
  attributes: Readonly<Record<string, string>>,
  bucket: string,
): StagedEvent {
  const { eventType, objectId, bucketId } = attributes;
  if (bucketId !== bucket) {
    return { kind: 'ignored', reason: `bucket ${bucketId ?? '(none)'} is not ${bucket}` };
  }
  if (eventType !== 'OBJECT_FINALIZE') {
    return { kind: 'ignored', reason: `event ${eventType ?? '(none)'} is not OBJECT_FINALIZE` };
  }
  const match = STAGED_OBJECT.exec(objectId ?? '');
  if (!match)
    return {
      kind: 'ignored',
      reason: `${objectId ?? '(no object)'} is not a manifest or failure record`,
    };
  let version: string;
  try {
    version = checkVersion(match[1]!);
  } catch (error) {
    return { kind: 'ignored', reason: (error as Error).message };
  }
  return match[2] === 'manifest.json'
    ? { kind: 'staged', version }
    : { kind: 'failed', version, object: objectId! };
}

/** Whether a pushed message is a Cloud Storage notification rather than a retrain request. */
export function isStorageNotification(attributes: Readonly<Record<string, string>>): boolean {
  return typeof attributes.eventType === 'string' && typeof attributes.objectId === 'string';
}
