/**
 * The numbers every part must agree on: the rating event's star range, the site's stars, the
 * model's clipping, and what the evaluation counts as a relevant movie. No imports, so the
 * site's browser code can take them without pulling in anything else.
 */

/** The fewest stars a rating may give. */
export const MIN_RATING = 0.5;
/** The most stars a rating may give. */
export const MAX_RATING = 5;
/** Ratings come in half stars. */
export const RATING_STEP = 0.5;

/** A held-out rating at or above this many stars makes its movie relevant (Protocol T, the retrain's quality gate). */
export const RELEVANT_RATING = 4;
