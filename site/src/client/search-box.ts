// The header's title search: a WAI-ARIA combobox with a listbox popup. The search engine and
// its prebuilt index load on first focus, so they cost nothing on pages where nobody searches.
import type { SearchHit } from '../lib/search.js';

type Engine = (query: string, limit: number) => SearchHit[];

let engine: Promise<Engine> | null = null;

/** Loads MiniSearch and the prebuilt index once (shared with the search page). */
export function searchEngine(): Promise<Engine> {
  engine ??= Promise.all([
    import('../lib/search.js'),
    fetch('/data/search-index.json').then((response) => {
      if (!response.ok) throw new Error(`/data/search-index.json: ${response.status}`);
      return response.text();
    }),
  ]).then(([search, json]) => {
    const index = search.loadSearchIndex(json);
    return (query: string, limit: number) => search.searchTitles(index, query, limit);
  });
  engine.catch(() => {
    engine = null;
  });
  return engine;
}

function wire(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[role="combobox"]')!;
  const listbox = form.querySelector<HTMLElement>('[role="listbox"]')!;
  const hint = form.querySelector<HTMLElement>('.hint')!;
  let hits: SearchHit[] = [];
  let active = -1;
  let query = 0;

  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (index: number) => {
    active = index;
    for (const [i, option] of [...listbox.children].entries()) {
      option.setAttribute('aria-selected', String(i === index));
    }
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `search-option-${index}`);
      listbox.children[index]?.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const open = (message: string) => {
    hint.textContent = message;
    listbox.hidden = hits.length === 0;
    input.setAttribute('aria-expanded', String(hits.length > 0));
  };

  const update = async () => {
    const id = ++query;
    const text = input.value;
    if (text.trim() === '') {
      hits = [];
      listbox.replaceChildren();
      close();
      hint.textContent = '';
      return;
    }
    let search: Engine;
    try {
      search = await searchEngine();
    } catch {
      hint.textContent = 'Search is unavailable right now; press Enter to try the search page.';
      return;
    }
    if (id !== query) return;
    hits = search(text, 8);
    listbox.replaceChildren(
      ...hits.map((hit, i) => {
        const option = document.createElement('li');
        option.id = `search-option-${i}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.dataset.href = `/movies/${hit.id}/`;
        option.append(hit.title);
        if (hit.year) {
          const year = document.createElement('span');
          year.className = 'option-year';
          year.textContent = ` (${hit.year})`;
          option.append(year);
        }
        return option;
      }),
    );
    highlight(-1);
    open(
      hits.length === 0
        ? 'No titles match.'
        : `${hits.length} suggestions; use up and down arrows to choose.`,
    );
  };

  input.addEventListener('focus', () => void searchEngine().catch(() => {}), { once: true });
  input.addEventListener('input', () => void update());
  input.addEventListener('keydown', (event) => {
    const count = hits.length;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      if (listbox.hidden) open('');
      highlight((active + 1) % count);
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      if (listbox.hidden) open('');
      highlight(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === 'Enter' && active >= 0 && !listbox.hidden) {
      event.preventDefault();
      window.location.assign(`/movies/${hits[active].id}/`);
    } else if (event.key === 'Escape') {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      } else {
        input.value = '';
        void update();
      }
    } else if (event.key === 'Home' || event.key === 'End') {
      highlight(-1);
    }
  });
  listbox.addEventListener('pointerdown', (event) => event.preventDefault());
  listbox.addEventListener('click', (event) => {
    const option = (event.target as Element).closest<HTMLElement>('[role="option"]');
    if (option?.dataset.href) window.location.assign(option.dataset.href);
  });
  input.addEventListener('blur', close);
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-search]')) wire(form);
