/** The stack's provisioning, for integration tests that create resources of their own. */
export {
  localPushEndpoint,
  provisionBigQuery,
  provisionPushSubscriptions,
  provisionTopics,
} from '@reel/pipelines/stack/provision';
export { MODEL_STAGED_TOPIC } from '@reel/pipelines/stack/spark';
