// "Your ratings": every movie the visitor rated, newest first, each with its widget to change
// or withdraw. Rows are never removed while the page is open, so a withdrawn rating can be
// given back and focus never jumps.
import { escapeHtml, movieHref, posterHtml, ratingWidgetHtml } from '../lib/markup.js';
import { loadMovies } from './movies.js';
import { hydrateWidgets, ratingsStore, reportError } from './ratings.js';

const list = document.getElementById('my-ratings')!;
const summary = document.getElementById('my-ratings-summary')!;
const shown = new Set<number>();
const store = ratingsStore();

let pending = Promise.resolve();

function removeSkeletons(): void {
  for (const row of list.querySelectorAll('.row--skeleton')) row.remove();
}

async function update(): Promise<void> {
  const ratings = store.ratings();
  const rated = [...ratings].filter(([, rating]) => rating !== null).map(([movieId]) => movieId);
  if (store.loaded || rated.length > 0) {
    summary.textContent =
      rated.length === 0
        ? 'You have not rated anything yet. Rate a few movies on the home page to get recommendations.'
        : `You have rated ${rated.length} ${rated.length === 1 ? 'movie' : 'movies'}.`;
  }
  const fresh = rated.filter((movieId) => !shown.has(movieId));
  if (fresh.length === 0) {
    if (store.loaded) removeSkeletons();
    return;
  }
  const firstRows = shown.size === 0;
  for (const movieId of fresh) shown.add(movieId);
  const movies = await loadMovies(fresh);
  fresh.sort((a, b) => store.ratedAt(b).localeCompare(store.ratedAt(a)));
  const rows = fresh.map((movieId) => {
    const movie = movies.get(movieId);
    const title = movie?.title ?? `Movie ${movieId}`;
    const meta = movie
      ? [movie.year, movie.genres.join(', ')].filter(Boolean).join(' · ')
      : 'Not in this catalogue';
    return (
      `<li class="row" data-movie-id="${movieId}">` +
      (movie ? posterHtml(movie) : '<span class="card__poster"></span>') +
      `<div><h2><a href="${movieHref(movieId)}">${escapeHtml(title)}</a></h2><p>${escapeHtml(meta)}</p>` +
      `${ratingWidgetHtml(movieId, title)}</div></li>`
    );
  });
  removeSkeletons();
  list.insertAdjacentHTML(firstRows ? 'beforeend' : 'afterbegin', rows.join(''));
  hydrateWidgets(store, list);
}

store.subscribe(() => {
  pending = pending.then(update).catch(reportError);
});
pending = pending.then(update).catch(reportError);
