/** The stack's provisioning, for integration tests that recreate a resource of their own. */
export { provisionBigQuery } from '@reel/pipelines/stack/provision';
