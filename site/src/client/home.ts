// Home: the "Recommended for you" shelf follows recommendations/{uid} live; before the first
// personal list it shows the live popularity list. Both replace the build-time list in place.
import { readPopular, readRecommendations } from '../lib/documents.js';
import { cardHtml, recommendationHtml, scoreHtml } from '../lib/markup.js';
import { currentUser, watchDocument } from './live.js';
import { loadMovies } from './movies.js';
import { ratingsStore, reportError } from './ratings.js';

const section = document.getElementById('recs')!;
const list = document.getElementById('recs-list')!;
const note = document.getElementById('recs-note')!;
const SHOWN = Number(list.dataset.count ?? '20');

ratingsStore();

let renderId = 0;
async function show(
  basis: 'popular' | 'personal',
  cards: (movies: Awaited<ReturnType<typeof loadMovies>>) => string[],
  ids: number[],
  message: string,
  ratingsCount = 0,
) {
  const id = ++renderId;
  const movies = await loadMovies(ids);
  if (id !== renderId) return; // a newer snapshot arrived while this one loaded
  const html = cards(movies);
  if (html.length === 0) return;
  list.innerHTML = html.map((card) => `<li>${card}</li>`).join('');
  section.dataset.basis = basis;
  section.dataset.ratingsCount = String(ratingsCount);
  note.textContent = message;
}

let stopPopular: (() => void) | null = null;

function followPopular(): void {
  stopPopular ??= watchDocument(
    'public/popular',
    (data) => {
      if (!data || section.dataset.basis === 'personal') return;
      const items = readPopular('public/popular', data).slice(0, SHOWN);
      void show(
        'popular',
        (movies) =>
          items.flatMap((item) => {
            const movie = movies.get(item.movieId);
            return movie ? [cardHtml(movie, scoreHtml(item.meanRating, item.ratingsCount))] : [];
          }),
        items.map((item) => item.movieId),
        'Popular picks to start with. Rate a few movies and this list becomes yours.',
      ).catch(reportError);
    },
    reportError,
  );
}

currentUser().then((user) => {
  const path = `recommendations/${user.uid}`;
  watchDocument(
    path,
    (data) => {
      const recommendations = data ? readRecommendations(path, data) : null;
      if (
        !recommendations ||
        recommendations.basis === 'popular' ||
        recommendations.items.length === 0
      ) {
        followPopular();
        return;
      }
      stopPopular?.();
      stopPopular = null;
      const items = recommendations.items.slice(0, SHOWN);
      const ids = items.flatMap((item) =>
        item.because ? [item.movieId, item.because.movieId] : [item.movieId],
      );
      void show(
        'personal',
        (movies) =>
          items.flatMap((item) => {
            const movie = movies.get(item.movieId);
            if (!movie) return [];
            const because = item.because && movies.get(item.because.movieId);
            return [
              cardHtml(
                movie,
                recommendationHtml(
                  item.predictedRating,
                  because && item.because ? { ...item.because, title: because.title } : null,
                ),
              ),
            ];
          }),
        ids,
        `Picked for you from your ${recommendations.ratingsCount} ${recommendations.ratingsCount === 1 ? 'rating' : 'ratings'}. Rate more to sharpen it.`,
        recommendations.ratingsCount,
      ).catch(reportError);
    },
    reportError,
  );
}, reportError);
