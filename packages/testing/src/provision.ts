/** The stack's provisioning, for integration tests that create resources of their own. */
export {
  localPushEndpoint,
  provisionBigQuery,
  provisionPushSubscriptions,
  provisionTopics,
} from '@reel/pipelines/stack/provision';
