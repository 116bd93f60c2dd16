import domains from 'node:domain';

/**
 * What is asked of a domain: the functions framework (`function_wrappers.js`) creates one per
 * request, listens for its errors, runs the request in it, and binds a CloudEvent's completion
 * callback to `process.domain`; Node enters and exits `process.domain` around the callbacks it
 * makes on `process` itself once the domain module is loaded.
 */
interface RequestDomain {
  on(event: 'error', listener: (error: unknown) => void): RequestDomain;
  run<T>(fn: () => T): T;
  bind<F>(fn: F): F;
  enter(): void;
  exit(): void;
}

/** Runs the request as it is: no trap, no context. */
const direct: RequestDomain = {
  on: () => direct,
  run: (fn) => fn(),
  bind: (fn) => fn,
  enter: () => {},
  exit: () => {},
};

/**
 * The functions framework runs every request in a new `domain`, Node's deprecated trap for
 * errors thrown outside a promise chain. Creating the first one switches async hooks on for
 * the whole process, for good, and every promise and socket callback then pays for them: the
 * ingest's CPU per event is measured with and without in docs/capacity.md. Reel's handlers are
 * async functions, so their errors reach the framework through the returned promise, which it
 * answers without the domain (a 500 for HTTP, an error status for a CloudEvent, which Pub/Sub
 * redelivers); an error thrown outside any request's promise reaches the framework's
 * `uncaughtException` handler, which answers the latest request and restarts the instance, as
 * a crashed instance would be. So the framework gets requests run directly. Call it before the
 * first request.
 */
export function runRequestsWithoutDomains(): void {
  const module = domains as unknown as { create: () => RequestDomain };
  module.create = () => direct;
  // The framework reads `process.domain.bind` when a CloudEvent function completes.
  (process as unknown as { domain: RequestDomain }).domain = direct;
}
