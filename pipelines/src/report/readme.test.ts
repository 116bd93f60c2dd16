import { describe, expect, it } from 'vitest';
import { replaceBlock } from './readme.js';

describe('replaceBlock', () => {
  it('replaces only the named block, keeping its markers', () => {
    const readme =
      'a\n<!-- figures:x -->\nold\n<!-- /figures:x -->\nb\n<!-- figures:y -->\nkeep\n<!-- /figures:y -->\n';
    expect(replaceBlock(readme, 'x', 'new')).toBe(
      'a\n<!-- figures:x -->\nnew\n<!-- /figures:x -->\nb\n<!-- figures:y -->\nkeep\n<!-- /figures:y -->\n',
    );
    expect(() => replaceBlock(readme, 'z', 'new')).toThrow(/no block <!-- figures:z -->/);
  });
});
