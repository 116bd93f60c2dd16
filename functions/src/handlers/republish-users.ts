import type { CloudEvent, CloudEventFunction } from '@google-cloud/functions-framework';
import { pushedMessageOf } from '../messages/pushed-message.js';
import type { RepublishSettings, ShardPorts } from '../usecases/republish.js';
import { republishShard } from '../usecases/republish.js';
import { parseRepublishShard } from '../usecases/shard-message.js';

export interface RepublishUsersDeps {
  ports: ShardPorts;
  settings: Pick<RepublishSettings, 'topN' | 'popularCount' | 'similarCount'>;
}

/**
 * The CloudEvent function on topic `republish`: one shard of a republish. Throwing asks
 * Pub/Sub to deliver it again (a shard is idempotent); a shard that can never be read goes to
 * the dead-letter topic with the rest after the subscription's last attempt.
 */
export function createRepublishUsers(deps: RepublishUsersDeps): CloudEventFunction<unknown> {
  return async (cloudEvent: CloudEvent<unknown>) => {
    const pushed = pushedMessageOf(cloudEvent.data);
    if (!pushed.ok) throw new Error(`republish shard ${cloudEvent.id}: ${pushed.reason}`);
    const shard = parseRepublishShard(JSON.parse(new TextDecoder().decode(pushed.message.data)));
    const outcome = await republishShard(deps.ports, shard, deps.settings);
    deps.ports.log.info('republish shard done', {
      modelVersion: shard.version,
      serial: shard.serial,
      shard: shard.shard,
      ...outcome,
    });
  };
}
