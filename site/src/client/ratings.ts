// The visitor's ratings on this page: stored ones (users/{uid}, live) under the ones still on
// their way (the persisted queue), and every rating widget on the page wired to both.

import { eventTag } from '@reel/functions/ratings';
import { sendRating } from '../lib/api.js';
import { effectiveRatings, readUserRatings, type UserRating } from '../lib/documents.js';
import { ratingAtFraction, ratingForKey } from '../lib/rating-keys.js';
import { type PendingRating, RatingQueue, type RatingStatus } from '../lib/rating-queue.js';
import { starsText } from '../lib/titles.js';
import { appCheckToken, currentUser, idToken, ratingsUrl, watchDocument } from './live.js';

type Listener = () => void;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class RatingsStore {
  readonly queue: RatingQueue;
  #stored = new Map<number, UserRating>();
  /** Ratings made on this page, kept as an overlay until users/{uid} shows them. */
  readonly #local = new Map<number, PendingRating>();
  readonly #listeners = new Set<Listener>();
  #loaded = false;

  constructor() {
    this.queue = new RatingQueue({
      storage: storage(),
      send: async (request, freshToken) =>
        sendRating(fetch, ratingsUrl(), await idToken(freshToken), request, await appCheckToken()),
      now: () => Date.now(),
      newEventId: () => crypto.randomUUID(),
      random: Math.random,
      setTimer: (callback, ms) => window.setTimeout(callback, ms),
      clearTimer: (handle) => window.clearTimeout(handle as number),
    });
    this.queue.subscribe((movieId, status) => {
      if (status.state === 'rejected') this.#local.delete(movieId);
      this.#notify();
    });
  }

  /** Resends what an earlier page left unsent and follows users/{uid}. */
  start(onError: (error: Error) => void): void {
    this.queue.restore();
    for (const rating of this.queue.pending().values()) this.#local.set(rating.movieId, rating);
    window.addEventListener('online', () => this.queue.flush());
    currentUser().then(
      (user) =>
        watchDocument(
          `users/${user.uid}`,
          (data) => {
            this.#stored = data ? readUserRatings(`users/${user.uid}`, data) : new Map();
            this.#loaded = true;
            for (const [movieId, rating] of this.#local) {
              const stored = this.#stored.get(movieId);
              if (
                stored &&
                (stored.eventTag === eventTag(rating.eventId) ||
                  Date.parse(stored.ratedAt) >= Date.parse(rating.ratedAt))
              ) {
                this.#local.delete(movieId);
              }
            }
            this.#notify();
          },
          onError,
        ),
      onError,
    );
  }

  /** True once users/{uid} has been read (or found missing). */
  get loaded(): boolean {
    return this.#loaded;
  }

  rate(movieId: number, rating: number | null): void {
    this.#local.set(movieId, this.queue.rate(movieId, rating));
    this.#notify();
  }

  ratings(): Map<number, number | null> {
    return effectiveRatings(this.#stored, this.#local.values());
  }

  /** When each rating was made (stored or local), for listing newest first. */
  ratedAt(movieId: number): string {
    return this.#local.get(movieId)?.ratedAt ?? this.#stored.get(movieId)?.ratedAt ?? '';
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function statusText(status: RatingStatus): { text: string; tone: 'ok' | 'error' | '' } {
  switch (status.state) {
    case 'saving':
      return { text: 'Saving…', tone: '' };
    case 'saved':
      return { text: 'Saved', tone: 'ok' };
    case 'retrying':
      return {
        text: `${status.message}. Kept here; retrying in ${Math.max(1, Math.round(status.inMs / 1000))} s.`,
        tone: 'error',
      };
    case 'rejected':
      return { text: `Not saved: ${status.message}`, tone: 'error' };
  }
}

function render(widget: HTMLElement, value: number | null | undefined): void {
  const slider = widget.querySelector<HTMLElement>('[role="slider"]')!;
  const clear = widget.querySelector<HTMLButtonElement>('.rating__clear')!;
  const shown = value ?? 0;
  slider.style.setProperty('--value', String(shown));
  slider.setAttribute('aria-valuenow', String(shown));
  slider.setAttribute('aria-valuetext', value ? starsText(value) : 'Not rated');
  clear.hidden = !value;
}

/** Wires every not-yet-wired rating widget under `root` to the store. */
export function hydrateWidgets(store: RatingsStore, root: ParentNode = document): void {
  for (const widget of root.querySelectorAll<HTMLElement>('[data-rating-for]:not([data-wired])')) {
    widget.dataset.wired = '';
    const movieId = Number(widget.dataset.ratingFor);
    const slider = widget.querySelector<HTMLElement>('[role="slider"]')!;
    const clear = widget.querySelector<HTMLButtonElement>('.rating__clear')!;
    const status = widget.querySelector<HTMLElement>('.rating__status')!;
    const current = () => store.ratings().get(movieId) ?? 0;
    const fractionAt = (event: PointerEvent) => {
      const box = slider.getBoundingClientRect();
      return (event.clientX - box.left) / box.width;
    };

    slider.addEventListener('keydown', (event) => {
      const intent = ratingForKey(event.key, current());
      if (intent.kind === 'none') return;
      event.preventDefault();
      store.rate(movieId, intent.kind === 'set' ? intent.value : null);
    });
    slider.addEventListener('pointermove', (event) => {
      if (event.pointerType === 'mouse')
        slider.style.setProperty('--value', String(ratingAtFraction(fractionAt(event))));
    });
    slider.addEventListener('pointerleave', () => render(widget, store.ratings().get(movieId)));
    slider.addEventListener('click', (event) => {
      store.rate(movieId, ratingAtFraction(fractionAt(event)));
      slider.focus();
    });
    clear.addEventListener('click', () => {
      store.rate(movieId, null);
      slider.focus();
    });

    let clearStatus = 0;
    store.queue.subscribe((ratedMovie, state) => {
      if (ratedMovie !== movieId) return;
      const { text, tone } = statusText(state);
      status.textContent = text;
      status.dataset.tone = tone;
      window.clearTimeout(clearStatus);
      if (state.state === 'saved') {
        clearStatus = window.setTimeout(() => {
          status.textContent = '';
        }, 2500);
      }
    });
    store.subscribe(() => render(widget, store.ratings().get(movieId)));
    render(widget, store.ratings().get(movieId));
  }
}

let shared: RatingsStore | null = null;

/** The page's ratings store, started once; widgets present now are wired. */
export function ratingsStore(onError: (error: Error) => void = reportError): RatingsStore {
  if (!shared) {
    shared = new RatingsStore();
    shared.start(onError);
    hydrateWidgets(shared);
  }
  return shared;
}

export function reportError(error: Error): void {
  console.error('[reel]', error);
}
