// Movie page: live average and count, the model's similar movies, and the rating widget.
import { readMovieStats } from '../lib/documents.js';
import { cardHtml, scoreHtml } from '../lib/markup.js';
import { watchDocument } from './live.js';
import { loadMovies } from './movies.js';
import { ratingsStore, reportError } from './ratings.js';

const page = document.querySelector<HTMLElement>('[data-movie-page]')!;
const movieId = Number(page.dataset.moviePage);
const score = document.getElementById('movie-score')!;
const similarSection = document.getElementById('similar')!;
const similarTitle = document.getElementById('similar-title')!;
const similarList = document.getElementById('similar-list')!;

ratingsStore();

watchDocument(
  `movies/${movieId}`,
  async (data) => {
    if (!data) return;
    const stats = readMovieStats(`movies/${movieId}`, data);
    score.innerHTML = scoreHtml(stats.meanRating, stats.ratingsCount);
    if (stats.similar.length === 0) return;
    const similar = stats.similar.slice(0, Number(similarList.dataset.count ?? '12'));
    const movies = await loadMovies(similar.map((item) => item.movieId));
    const cards = similar.flatMap((item) => {
      const movie = movies.get(item.movieId);
      return movie ? [`<li>${cardHtml(movie)}</li>`] : [];
    });
    if (cards.length === 0) return;
    similarList.innerHTML = cards.join('');
    similarTitle.textContent = 'Similar movies';
    similarSection.dataset.basis = 'model';
  },
  reportError,
);
