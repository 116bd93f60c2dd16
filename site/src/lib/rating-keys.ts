import { MAX_RATING, MIN_RATING, RATING_STEP } from '@reel/functions/contracts/limits';

/** What a key press on the rating slider asks for: a new value, a withdrawal, or nothing. */
export type KeyIntent = { kind: 'set'; value: number } | { kind: 'withdraw' } | { kind: 'none' };

/**
 * Keyboard model of the half-star slider (WAI-ARIA slider pattern): arrows step by half a star,
 * Page Up/Down by a whole star, Home/End jump to the ends, Delete/Backspace withdraw.
 * `current` is 0 while unrated; stepping down from 0.5 keeps 0.5 so only Delete withdraws.
 */
export function ratingForKey(key: string, current: number): KeyIntent {
  const clamp = (value: number) => Math.min(MAX_RATING, Math.max(MIN_RATING, value));
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      return { kind: 'set', value: clamp(current + RATING_STEP) };
    case 'ArrowLeft':
    case 'ArrowDown':
      return current === 0
        ? { kind: 'none' }
        : { kind: 'set', value: clamp(current - RATING_STEP) };
    case 'PageUp':
      return { kind: 'set', value: clamp(current + 1) };
    case 'PageDown':
      return current === 0 ? { kind: 'none' } : { kind: 'set', value: clamp(current - 1) };
    case 'Home':
      return { kind: 'set', value: MIN_RATING };
    case 'End':
      return { kind: 'set', value: MAX_RATING };
    case 'Delete':
    case 'Backspace':
      return current === 0 ? { kind: 'none' } : { kind: 'withdraw' };
    default:
      return { kind: 'none' };
  }
}

/** The half star under a pointer at `fraction` (0–1) of the stars' width: 0.5 … 5. */
export function ratingAtFraction(fraction: number): number {
  const halves = Math.ceil(Math.min(1, Math.max(0, fraction)) * MAX_RATING * 2);
  return Math.max(1, halves) * RATING_STEP;
}
