/** Replaces what lies between `<!-- figures:name -->` and `<!-- /figures:name -->`. */
export function replaceBlock(readme: string, name: string, content: string): string {
  const start = `<!-- figures:${name} -->`;
  const end = `<!-- /figures:${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no block ${start} … ${end}`);
  return `${readme.slice(0, from + start.length)}\n${content}\n${readme.slice(to)}`;
}
