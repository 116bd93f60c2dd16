// The search page: full results for ?q=, as cards, updated as the query changes.
import { cardHtml } from '../lib/markup.js';
import { loadMovies } from './movies.js';
import { searchEngine } from './search-box.js';

const input = document.getElementById('page-search') as HTMLInputElement;
const summary = document.getElementById('search-summary')!;
const results = document.getElementById('search-results')!;
let query = 0;

async function run(text: string): Promise<void> {
  const id = ++query;
  if (text.trim() === '') {
    summary.textContent = '';
    results.replaceChildren();
    return;
  }
  summary.textContent = 'Searching…';
  try {
    const search = await searchEngine();
    const hits = search(text, 48);
    const movies = await loadMovies(hits.map((hit) => hit.id));
    if (id !== query) return;
    results.innerHTML = hits
      .flatMap((hit) => {
        const movie = movies.get(hit.id);
        return movie ? [`<li>${cardHtml(movie)}</li>`] : [];
      })
      .join('');
    summary.textContent =
      hits.length === 0
        ? `No titles match “${text}”.`
        : `${hits.length} best matches for “${text}”.`;
  } catch (error) {
    summary.textContent = `Search is unavailable right now (${(error as Error).message}).`;
  }
}

const initial = new URLSearchParams(window.location.search).get('q') ?? '';
input.value = initial;
void run(initial);
input.addEventListener('input', () => {
  const url = new URL(window.location.href);
  url.searchParams.set('q', input.value);
  window.history.replaceState(null, '', url);
  void run(input.value);
});
