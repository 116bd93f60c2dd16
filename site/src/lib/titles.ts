// MovieLens files titles for sorting ("Matrix, The"); people read "The Matrix".
const TRAILING_ARTICLE =
  /^(.+?), (The|A|An|Les|Le|La|L'|Il|Lo|Gli|I|El|Los|Las|Der|Die|Das|De|Het|Den|Det|O|Os|As)(\s*\(.*\))?$/;

/** "Matrix, The" → "The Matrix"; "Amelie (Fabuleux destin, Le)" keeps its alternate title. */
export function displayTitle(title: string): string {
  const match = TRAILING_ARTICLE.exec(title);
  if (!match) return title;
  const [, rest, article, alternate = ''] = match;
  const joiner = article.endsWith("'") ? '' : ' ';
  return `${article}${joiner}${rest}${alternate}`;
}

/** URL segment for a genre or other label: "Sci-Fi" → "sci-fi", "Film-Noir" → "film-noir". */
export function slugify(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** "3.5 stars", "1 star": the words a screen reader says for a rating. */
export function starsText(value: number): string {
  return `${formatStars(value)} ${value === 1 ? 'star' : 'stars'}`;
}

/** One decimal at most, no trailing ".0": 4 → "4", 3.5 → "3.5", 3.87 → "3.9". */
export function formatStars(value: number): string {
  return String(Math.round(value * 10) / 10);
}
