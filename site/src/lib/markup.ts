// Markup shared by the build (Astro components render these strings) and the browser (live
// data renders the same strings), so a card looks and measures the same either way.
import { MAX_RATING, MIN_RATING } from '@reel/functions/contracts/limits';
import { POSTER_HEIGHT, POSTER_WIDTH, posterSvg, tmdbPosterUrl } from './poster.js';
import { formatStars, starsText } from './titles.js';

/** What a card shows of a movie; the same shape at build time and in the browser. */
export interface CardMovie {
  movieId: number;
  title: string;
  year: number | null;
  genres: readonly string[];
  posterPath: string | null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function movieHref(movieId: number): string {
  return `/movies/${movieId}/`;
}

export function posterHtml(movie: CardMovie, className = 'card__poster', eager = false): string {
  if (movie.posterPath) {
    const alt = escapeHtml(`Poster: ${movie.title}${movie.year ? ` (${movie.year})` : ''}`);
    return `<span class="${className}"><img src="${tmdbPosterUrl(movie.posterPath)}" alt="${alt}" width="${POSTER_WIDTH}" height="${POSTER_HEIGHT}" loading="${eager ? 'eager' : 'lazy'}" decoding="async"></span>`;
  }
  return `<span class="${className}">${posterSvg(movie)}</span>`;
}

export function cardHtml(movie: CardMovie, extraHtml = '', heading: 'h2' | 'h3' = 'h3'): string {
  const meta = [movie.year, movie.genres.slice(0, 2).join(', ')].filter(Boolean).join(' · ');
  return (
    `<article class="card" data-movie-id="${movie.movieId}" data-genres="${escapeHtml(movie.genres.join('|'))}">` +
    `<a class="card__link" href="${movieHref(movie.movieId)}">${posterHtml(movie)}` +
    `<${heading} class="card__title">${escapeHtml(movie.title)}</${heading}></a>` +
    `<p class="card__meta">${escapeHtml(meta)}</p>` +
    `<div class="card__extra">${extraHtml}</div></article>`
  );
}

/** An unhydrated half-star slider; the browser script wires it to the rating queue. */
export function ratingWidgetHtml(movieId: number, title: string, large = false): string {
  const name = escapeHtml(title);
  return (
    `<div class="rating${large ? ' rating--large' : ''}" data-rating-for="${movieId}">` +
    `<div class="rating__stars stars" role="slider" tabindex="0" aria-label="Your rating of ${name}" aria-valuemin="0" aria-valuemax="5" aria-valuenow="0" aria-valuetext="Not rated" style="--value: 0"></div>` +
    `<button type="button" class="rating__clear" aria-label="Remove your rating of ${name}" hidden>Remove</button>` +
    `<span class="rating__status" role="status"></span></div>`
  );
}

export function starsHtml(value: number, label: string): string {
  return `<span class="stars" style="--value: ${value.toFixed(2)}" role="img" aria-label="${escapeHtml(label)}"></span>`;
}

/** Average rating and count, e.g. "★★★★½ 4.4 · 317 ratings". */
export function scoreHtml(mean: number | null, count: number): string {
  if (mean === null || count === 0) return '<span>No ratings yet</span>';
  return (
    starsHtml(mean, `Average ${starsText(mean)} out of 5`) +
    `<span><strong>${formatStars(mean)}</strong> · ${count.toLocaleString('en')} ${count === 1 ? 'rating' : 'ratings'}</span>`
  );
}

/** A recommendation's predicted rating and the rating that explains it. */
export function recommendationHtml(
  predictedRating: number,
  because: { movieId: number; title: string; rating: number } | null,
): string {
  const predicted = Math.min(MAX_RATING, Math.max(MIN_RATING, predictedRating));
  const reason = because
    ? `<p class="card__because" title="Because you rated ${escapeHtml(because.title)} ${formatStars(because.rating)}★">Because you rated <a href="${movieHref(because.movieId)}">${escapeHtml(because.title)}</a> ${formatStars(because.rating)}★</p>`
    : '<p class="card__because">Matches your ratings</p>';
  return (
    `<span class="score">${starsHtml(predicted, `Predicted ${starsText(predicted)} for you`)}` +
    `<span><strong>${formatStars(predicted)}</strong> for you</span></span>${reason}`
  );
}
