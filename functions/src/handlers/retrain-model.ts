import type { CloudEvent, CloudEventFunction } from '@google-cloud/functions-framework';
import { pushedMessageOf } from '../messages/pushed-message.js';
import { isStorageNotification, stagedEventOf } from '../messages/staged-notification.js';
import { type RetrainPorts, type RetrainSettings, retrain } from '../usecases/retrain.js';
import { checkSparkBatch, isSparkCheck } from '../usecases/spark-batch.js';
import { onStagedObject } from '../usecases/staged.js';

export interface RetrainDeps {
  ports: RetrainPorts;
  settings: RetrainSettings;
  /** The models bucket: only its staging/ notifications are this deployment's. */
  modelsBucket: string;
}

/**
 * The CloudEvent function on topic `retrain`: the message (e.g. `{ "trainer": "spark" }`) goes
 * to the retrain, whose outcome is logged and recorded. It never throws: a redelivery would
 * train yet another version, and the next scheduled retrain tries again anyway. It also takes
 * topic `model-staged` (Cloud Storage's notifications of staging/): a Spark job's manifest runs
 * the publish step, its failed.json is recorded; one instance at a time does either. A message
 * `{ "check": "spark" }` (Cloud Scheduler's periodic one) only asks the Spark batch in progress
 * for its state, and records it as failed if it ended without staging a model.
 */
export function createRetrainModel(deps: RetrainDeps): CloudEventFunction<unknown> {
  return async (cloudEvent: CloudEvent<unknown>) => {
    const pushed = pushedMessageOf(cloudEvent.data);
    if (pushed.ok && isStorageNotification(pushed.message.attributes)) {
      const event = stagedEventOf(pushed.message.attributes, deps.modelsBucket);
      await onStagedObject(deps.ports, deps.settings, event);
      return;
    }
    let data: unknown;
    if (pushed.ok) {
      try {
        data = JSON.parse(new TextDecoder().decode(pushed.message.data));
      } catch {
        data = undefined;
      }
    }
    if (isSparkCheck(data)) {
      try {
        const check = await checkSparkBatch(deps.ports, deps.settings);
        deps.ports.log.info('Spark batch checked', {
          check: check.kind,
          ...(check.kind !== 'none' && { modelVersion: check.batch.version }),
        });
      } catch (error) {
        deps.ports.log.error('could not check the Spark batch; the next check tries again', {
          error,
        });
      }
      return;
    }
    await retrain(deps.ports, deps.settings, { messageId: cloudEvent.id, data });
  };
}
