import MiniSearch, { type Options, type SearchOptions } from 'minisearch';

/** One title in the search index; stored fields are what the suggestion list shows. */
export interface SearchDocument {
  id: number;
  title: string;
  year: number | null;
  /** log2(1 + ratings count): lifts well-known movies among equally good matches. */
  popularity: number;
}

export interface SearchHit {
  id: number;
  title: string;
  year: number | null;
}

/** Lower case without accents, so "amelie" finds "Amélie" and "Cite" finds "Cité". */
export function normaliseTerm(term: string): string {
  return term
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

// Words in a third of all titles: indexing them costs size and every query that has them
// scores tens of thousands of titles, while they barely narrow a search.
const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'of',
  'and',
  'le',
  'la',
  'les',
  'l',
  'de',
  'der',
  'die',
  'das',
  'el',
]);

const searchOptions: SearchOptions = {
  // Autocomplete: the word being typed is a prefix (from two letters on, or "s" would expand to
  // every word starting with s); every word of four letters or more may carry a typo.
  prefix: (term, index, terms) => index === terms.length - 1 && term.length >= 2,
  fuzzy: (term) => (term.length >= 4 ? 0.25 : false),
  maxFuzzy: 2,
  combineWith: 'AND',
  boostDocument: (_id, _term, stored) => 1 + Number(stored?.popularity ?? 0) / 8,
};

// Index and client must agree on these, or a loaded index answers differently from a built one.
export const SEARCH_INDEX_OPTIONS: Options<SearchDocument> = {
  fields: ['title', 'yearText'],
  storeFields: ['title', 'year', 'popularity'],
  extractField: (document, field) =>
    field === 'yearText' ? document.year : document[field as keyof SearchDocument],
  processTerm: (term) => {
    const normal = normaliseTerm(term);
    return normal.length > 0 && !STOP_WORDS.has(normal) ? normal : null;
  },
  searchOptions,
};

export function buildSearchIndex(documents: readonly SearchDocument[]): MiniSearch<SearchDocument> {
  const index = new MiniSearch<SearchDocument>(SEARCH_INDEX_OPTIONS);
  index.addAll(documents);
  return index;
}

export function loadSearchIndex(json: string): MiniSearch<SearchDocument> {
  return MiniSearch.loadJSON<SearchDocument>(json, SEARCH_INDEX_OPTIONS);
}

export function searchTitles(
  index: MiniSearch<SearchDocument>,
  query: string,
  limit = 8,
): SearchHit[] {
  if (query.trim() === '') return [];
  let results = index.search(query);
  // AND over a typo-laden multi-word query can find nothing; fall back to any word.
  if (results.length === 0) results = index.search(query, { combineWith: 'OR' });
  return results.slice(0, limit).map((result) => ({
    id: Number(result.id),
    title: String(result.title),
    year: typeof result.year === 'number' ? result.year : null,
  }));
}
