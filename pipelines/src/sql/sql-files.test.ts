import { describe, expect, it } from 'vitest';
import { renderSql } from './sql-files.js';

describe('renderSql', () => {
  it('substitutes project and dataset in the DDL', () => {
    const ddl = renderSql('rating_events', { project: 'demo-reel', dataset: 'reel' });
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS `demo-reel.reel.rating_events`');
    expect(ddl).not.toContain('${');
  });

  it('renders the current-ratings view body over the events table', () => {
    const view = renderSql('current_ratings', { project: 'p', dataset: 'd' });
    expect(view).toContain('FROM `p.d.rating_events`');
  });
});
