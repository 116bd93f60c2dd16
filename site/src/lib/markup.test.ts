import { describe, expect, it } from 'vitest';
import { cardHtml, posterHtml, ratingWidgetHtml, recommendationHtml, scoreHtml } from './markup.js';

const alien = {
  movieId: 1200,
  title: 'Aliens',
  year: 1986,
  genres: ['Action', 'Sci-Fi', 'Horror'],
  posterPath: null,
};

describe('markup', () => {
  it('renders a card linking to the movie page, title escaped', () => {
    const html = cardHtml({ ...alien, title: "Alien <Director's Cut>" }, '<b>x</b>');
    expect(html).toContain('href="/movies/1200/"');
    expect(html).toContain('Alien &#60;Director&#39;s Cut&#62;');
    expect(html).toContain('<p class="card__meta">1986 · Action, Sci-Fi</p>');
    expect(html).toContain('<div class="card__extra"><b>x</b></div>');
  });

  it('uses a TMDB image with fixed dimensions when a poster path is known', () => {
    expect(posterHtml({ ...alien, posterPath: '/a.jpg' })).toContain(
      '<img src="https://image.tmdb.org/t/p/w342/a.jpg" alt="Poster: Aliens (1986)" width="200" height="300"',
    );
    expect(posterHtml(alien)).toContain('<svg');
  });

  it('gives the rating slider its ARIA contract', () => {
    const html = ratingWidgetHtml(1200, 'Aliens');
    for (const attribute of [
      'role="slider"',
      'tabindex="0"',
      'aria-label="Your rating of Aliens"',
      'aria-valuemin="0"',
      'aria-valuemax="5"',
      'aria-valuetext="Not rated"',
      'data-rating-for="1200"',
    ]) {
      expect(html).toContain(attribute);
    }
  });

  it('describes scores and recommendations in words', () => {
    expect(scoreHtml(4.429, 317)).toContain('aria-label="Average 4.4 stars out of 5"');
    expect(scoreHtml(4.429, 317)).toContain('<strong>4.4</strong> · 317 ratings');
    expect(scoreHtml(null, 0)).toBe('<span>No ratings yet</span>');
    const rec = recommendationHtml(4.26, { movieId: 260, title: 'Star Wars', rating: 5 });
    expect(rec).toContain('aria-label="Predicted 4.3 stars for you"');
    expect(rec).toContain('Because you rated <a href="/movies/260/">Star Wars</a> 5★');
    expect(recommendationHtml(7, null)).toContain('<strong>5</strong> for you');
  });
});
