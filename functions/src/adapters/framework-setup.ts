import { runRequestsWithoutDomains } from './framework-domains.js';
import { answerFrameworkErrorsAsProblems } from './framework-errors.js';

/**
 * The functions framework as Reel runs it, deployed (functions/src/index.ts) and in the tests
 * (testing/serve.ts): what its body parsers refuse is answered as JSON, and requests run
 * without its per-request domain. Call it before the framework builds its server.
 */
export function adaptFramework(): void {
  answerFrameworkErrorsAsProblems();
  runRequestsWithoutDomains();
}
