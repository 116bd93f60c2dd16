// Generated posters: no image service is reachable offline, and a deterministic drawing per
// movie (genre colours, title, year) keeps every card recognisable and the layout fixed.

export const POSTER_WIDTH = 200;
export const POSTER_HEIGHT = 300;

const GENRE_COLOURS: Record<string, string> = {
  Action: '#c2410c',
  Adventure: '#b45309',
  Animation: '#ca8a04',
  Children: '#4d7c0f',
  Comedy: '#d97706',
  Crime: '#44403c',
  Documentary: '#0e7490',
  Drama: '#5b21b6',
  Fantasy: '#a21caf',
  'Film-Noir': '#1c1917',
  Horror: '#991b1b',
  IMAX: '#1d4ed8',
  Musical: '#be185d',
  Mystery: '#3730a3',
  Romance: '#db2777',
  'Sci-Fi': '#0f766e',
  Thriller: '#6b21a8',
  War: '#3f6212',
  Western: '#92400e',
};
const NO_GENRE_COLOUR = '#475569';

export function genreColour(genre: string | undefined): string {
  return (genre && GENRE_COLOURS[genre]) || NO_GENRE_COLOUR;
}

// FNV-1a: a stable small hash so a movie always gets the same motif.
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Greedy word wrap into at most `maxLines` lines of about `width` characters. */
export function wrapTitle(title: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of title.split(/\s+/).filter(Boolean)) {
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1].replace(/[\s,.:;-]+$/, '')}…`;
  return kept;
}

export interface PosterMovie {
  movieId: number;
  title: string;
  year: number | null;
  genres: readonly string[];
}

function motif(kind: number, accent: string, seed: number): string {
  const x = 40 + (seed % 120);
  const y = 40 + ((seed >>> 8) % 90);
  switch (kind) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="70" fill="${accent}"/><circle cx="${x}" cy="${y}" r="40" fill="#fff" fill-opacity=".12"/>`;
    case 1:
      return `<path d="M0 ${y + 60}L200 ${y - 40}V${y + 20}L0 ${y + 120}Z" fill="${accent}"/><path d="M0 ${y + 130}L200 ${y + 30}V${y + 45}L0 ${y + 145}Z" fill="#fff" fill-opacity=".15"/>`;
    case 2:
      return `<rect x="${x - 60}" y="${y - 30}" width="120" height="120" rx="8" transform="rotate(${(seed >>> 16) % 45} ${x} ${y + 30})" fill="${accent}"/>`;
    default:
      return `<circle cx="100" cy="${y + 20}" r="95" fill="none" stroke="${accent}" stroke-width="22"/><circle cx="100" cy="${y + 20}" r="45" fill="${accent}" fill-opacity=".7"/>`;
  }
}

/**
 * The SVG markup of a movie's generated poster (200×300 viewBox, scales to its box). Colours come
 * from the first two genres, the motif from the movie id; the title is wrapped over a dark band
 * so white text stays legible on every palette.
 */
export function posterSvg(movie: PosterMovie, className = 'poster'): string {
  const seed = hash(`${movie.movieId}:${movie.title}`);
  const base = genreColour(movie.genres[0]);
  const accent = genreColour(movie.genres[1] ?? movie.genres[0]);
  const longest = Math.max(...movie.title.split(/\s+/).map((word) => word.length), 1);
  const width = Math.max(11, Math.min(16, longest));
  const lines = wrapTitle(movie.title, width, 4);
  const fontSize = Math.min(24, Math.floor(176 / (Math.max(width, longest) * 0.66)));
  const lineHeight = Math.round(fontSize * 1.15);
  const yearSize = 14;
  const blockHeight = lines.length * lineHeight + (movie.year ? yearSize + 10 : 0);
  const top = POSTER_HEIGHT - 20 - blockHeight;
  const text = lines
    .map(
      (line, i) =>
        `<text x="14" y="${top + (i + 1) * lineHeight - 4}" font-size="${fontSize}" font-weight="700">${escapeXml(line)}</text>`,
    )
    .join('');
  const year = movie.year
    ? `<text x="14" y="${POSTER_HEIGHT - 20}" font-size="${yearSize}" fill-opacity=".85">${movie.year}</text>`
    : '';
  const label = `Poster: ${movie.title}${movie.year ? ` (${movie.year})` : ''}`;
  return (
    `<svg class="${className}" viewBox="0 0 ${POSTER_WIDTH} ${POSTER_HEIGHT}" role="img" aria-label="${escapeXml(label)}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect width="200" height="300" fill="${base}"/>${motif(seed % 4, accent, seed >>> 2)}` +
    `<rect y="${top - 16}" width="200" height="${POSTER_HEIGHT - top + 16}" fill="#000" fill-opacity=".55"/>` +
    `<g fill="#fff" font-family="system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">${text}${year}</g></svg>`
  );
}

/** TMDB poster URL for a stored poster path; w342 matches the card's largest rendered width. */
export function tmdbPosterUrl(posterPath: string, size: 'w185' | 'w342' | 'w500' = 'w342'): string {
  return `https://image.tmdb.org/t/p/${size}${posterPath}`;
}
