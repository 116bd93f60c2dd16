import type { RatingRequest, SendOutcome } from './api.js';

/** A rating the server has not yet accepted; resent with the same eventId until it is. */
export interface PendingRating extends RatingRequest {
  attempts: number;
}

export type RatingStatus =
  | { state: 'saving' }
  | { state: 'retrying'; message: string; inMs: number }
  | { state: 'saved' }
  | { state: 'rejected'; message: string };

export interface QueueDeps {
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Sends one rating; `freshToken` asks for a new ID token after a 401. */
  send(rating: RatingRequest, freshToken: boolean): Promise<SendOutcome>;
  now(): number;
  newEventId(): string;
  random(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface QueueOptions {
  storageKey?: string;
  /** Quiet time before sending, so a burst of arrow-key presses becomes one event. */
  settleMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type Listener = (movieId: number, status: RatingStatus) => void;

interface Entry {
  rating: PendingRating;
  dueAt: number;
  inFlight: boolean;
}

const STORAGE_KEY = 'reel.pendingRatings.v1';

function isPendingRating(value: unknown): value is PendingRating {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.eventId === 'string' &&
    typeof r.movieId === 'number' &&
    (r.rating === null || typeof r.rating === 'number') &&
    typeof r.ratedAt === 'string' &&
    typeof r.attempts === 'number'
  );
}

/**
 * Ratings on their way to the server. Each rating is stored (localStorage) before it is sent, so
 * a reload or a dead network loses nothing; failed sends are retried with exponential backoff and
 * jitter under the same eventId, which the server uses to drop duplicates. A newer rating of the
 * same movie replaces an unsent older one.
 */
export class RatingQueue {
  readonly #deps: QueueDeps;
  readonly #storageKey: string;
  readonly #settleMs: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #entries = new Map<number, Entry>();
  readonly #listeners = new Set<Listener>();
  #timer: unknown = null;
  #timerDueAt = Number.POSITIVE_INFINITY;

  constructor(deps: QueueDeps, options: QueueOptions = {}) {
    this.#deps = deps;
    this.#storageKey = options.storageKey ?? STORAGE_KEY;
    this.#settleMs = options.settleMs ?? 400;
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  /** Loads ratings a previous page left unsent and sends them now. */
  restore(): void {
    let stored: unknown = [];
    try {
      stored = JSON.parse(this.#deps.storage?.getItem(this.#storageKey) ?? '[]');
    } catch {
      stored = [];
    }
    const now = this.#deps.now();
    for (const rating of Array.isArray(stored) ? stored.filter(isPendingRating) : []) {
      const current = this.#entries.get(rating.movieId);
      if (!current || current.rating.ratedAt < rating.ratedAt) {
        this.#entries.set(rating.movieId, { rating, dueAt: now, inFlight: false });
      }
    }
    this.#schedule();
  }

  /** Unsent ratings by movie: the optimistic layer over what Firestore says. */
  pending(): Map<number, PendingRating> {
    return new Map([...this.#entries].map(([movieId, entry]) => [movieId, entry.rating]));
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records a rating (null withdraws) and schedules its sending. */
  rate(movieId: number, rating: number | null): PendingRating {
    const now = this.#deps.now();
    const pending: PendingRating = {
      eventId: this.#deps.newEventId(),
      movieId,
      rating,
      ratedAt: new Date(now).toISOString(),
      attempts: 0,
    };
    this.#entries.set(movieId, { rating: pending, dueAt: now + this.#settleMs, inFlight: false });
    this.#persist();
    this.#emit(movieId, { state: 'saving' });
    this.#schedule();
    return pending;
  }

  /** Sends everything not in flight now (e.g. when the browser comes back online). */
  flush(): void {
    const now = this.#deps.now();
    for (const entry of this.#entries.values()) {
      if (!entry.inFlight) entry.dueAt = Math.min(entry.dueAt, now);
    }
    this.#schedule();
  }

  #emit(movieId: number, status: RatingStatus): void {
    for (const listener of this.#listeners) listener(movieId, status);
  }

  #persist(): void {
    try {
      this.#deps.storage?.setItem(
        this.#storageKey,
        JSON.stringify([...this.#entries.values()].map((entry) => entry.rating)),
      );
    } catch {
      // Storage full or disabled (private mode): the queue still works for this page's life.
    }
  }

  #schedule(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries.values()) {
      if (!entry.inFlight) next = Math.min(next, entry.dueAt);
    }
    if (next === this.#timerDueAt) return;
    if (this.#timer !== null) this.#deps.clearTimer(this.#timer);
    this.#timer = null;
    this.#timerDueAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#deps.setTimer(
      () => {
        this.#timer = null;
        this.#timerDueAt = Number.POSITIVE_INFINITY;
        this.#sendDue();
      },
      Math.max(0, next - this.#deps.now()),
    );
  }

  #sendDue(): void {
    const now = this.#deps.now();
    for (const entry of this.#entries.values()) {
      if (!entry.inFlight && entry.dueAt <= now) void this.#send(entry, false);
    }
    this.#schedule();
  }

  async #send(entry: Entry, freshToken: boolean): Promise<void> {
    entry.inFlight = true;
    entry.rating.attempts++;
    this.#persist();
    const { attempts, ...request } = entry.rating;
    let outcome: SendOutcome;
    try {
      outcome = await this.#deps.send(request, freshToken);
    } catch (error) {
      outcome = { kind: 'retry', message: (error as Error).message };
    }
    entry.inFlight = false;
    const movieId = request.movieId;
    const current = this.#entries.get(movieId);
    const superseded = current !== entry;

    if (outcome.kind === 'unauthorized' && !freshToken) {
      await this.#send(entry, true);
      return;
    }
    if (outcome.kind === 'accepted' || outcome.kind === 'rejected') {
      if (!superseded) {
        this.#entries.delete(movieId);
        this.#persist();
        this.#emit(
          movieId,
          outcome.kind === 'accepted'
            ? { state: 'saved' }
            : { state: 'rejected', message: outcome.message },
        );
      }
      this.#schedule();
      return;
    }
    if (superseded) {
      this.#schedule();
      return;
    }
    const backoff = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempts - 1));
    const jittered = backoff * (0.5 + this.#deps.random() / 2);
    const delay = Math.round(
      Math.max(jittered, outcome.kind === 'retry' ? (outcome.retryAfterMs ?? 0) : 0),
    );
    entry.dueAt = this.#deps.now() + delay;
    this.#emit(movieId, { state: 'retrying', message: outcome.message, inMs: delay });
    this.#schedule();
  }
}
