/**
 * What a use case refuses, by kind; the HTTP layer maps each kind to one status (api/problem.ts),
 * so use cases know nothing of HTTP.
 */
export type RefusalKind = 'invalid' | 'not-found' | 'unavailable' | 'not-implemented';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'Refusal';
  }
}
