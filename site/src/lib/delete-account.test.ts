import { describe, expect, it } from 'vitest';
import { clearLocalState, DELETE_ME_URL, deleteAccount } from './delete-account.js';

function memoryStorage(entries: Record<string, string>) {
  const map = new Map(Object.entries(entries));
  return {
    map,
    get length() {
      return map.size;
    },
    key: (index: number) => [...map.keys()][index] ?? null,
    removeItem: (key: string) => {
      map.delete(key);
    },
  };
}

/** `appCheck`: the tokens the fake App Check hands out, one per call; none means App Check off. */
function harness(statuses: number[], body = '', appCheck: string[] = []) {
  const calls: { url: string; init: RequestInit }[] = [];
  const tokens: boolean[] = [];
  const events: string[] = [];
  const storage = memoryStorage({
    'reel.pendingRatings.v1': '[{"movieId":1}]',
    'firebase:authUser:key:[DEFAULT]': '{}',
    other: 'kept',
  });
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    events.push('fetch');
    const status = statuses.shift() ?? 500;
    return new Response(status === 204 ? null : body, { status });
  }) as unknown as typeof fetch;
  return {
    calls,
    tokens,
    events,
    storage,
    deps: {
      fetch: fetchFn,
      idToken: async (fresh: boolean) => {
        tokens.push(fresh);
        return fresh ? 'fresh-token' : 'token';
      },
      appCheckToken: async () => appCheck.shift() ?? null,
      storage,
      startAfresh: async () => {
        events.push('afresh');
      },
    },
  };
}

describe('deleteAccount', () => {
  it('sends DELETE /api/v1/me with the ID token, then clears local state and starts afresh', async () => {
    const h = harness([204]);
    expect(await deleteAccount(h.deps)).toEqual({ kind: 'deleted' });
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.url).toBe(DELETE_ME_URL);
    expect(h.calls[0]!.init).toEqual({
      method: 'DELETE',
      headers: { Authorization: 'Bearer token' },
    });
    expect([...h.storage.map.keys()]).toEqual(['firebase:authUser:key:[DEFAULT]', 'other']);
    expect(h.events).toEqual(['fetch', 'afresh']);
  });

  it('retries once with a fresh token after a 401', async () => {
    const h = harness([401, 200], '{"firestoreDocuments":2,"bigQuery":"scheduled"}');
    expect(await deleteAccount(h.deps)).toEqual({ kind: 'deleted' });
    expect(h.tokens).toEqual([false, true]);
    expect(h.calls[1]!.init.headers).toEqual({ Authorization: 'Bearer fresh-token' });
  });

  it('sends the App Check token beside the ID token, a current one on each attempt', async () => {
    const h = harness([401, 204], '', ['app-check-1', 'app-check-2']);
    expect(await deleteAccount(h.deps)).toEqual({ kind: 'deleted' });
    expect(h.calls.map((call) => call.init.headers)).toEqual([
      { Authorization: 'Bearer token', 'X-Firebase-AppCheck': 'app-check-1' },
      { Authorization: 'Bearer fresh-token', 'X-Firebase-AppCheck': 'app-check-2' },
    ]);
  });

  it('keeps everything when the server refuses, and says why', async () => {
    const h = harness(
      [503],
      JSON.stringify({
        type: 'about:blank',
        title: 'Unavailable',
        status: 503,
        detail: 'try later',
      }),
    );
    expect(await deleteAccount(h.deps)).toEqual({ kind: 'failed', message: 'try later' });
    expect(h.storage.map.has('reel.pendingRatings.v1')).toBe(true);
    expect(h.events).toEqual(['fetch']);
  });

  it('keeps everything when Reel is unreachable', async () => {
    const h = harness([]);
    h.deps.fetch = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await deleteAccount(h.deps)).toEqual({
      kind: 'failed',
      message: 'Reel is unreachable (Failed to fetch)',
    });
    expect(h.storage.map.has('reel.pendingRatings.v1')).toBe(true);
  });

  it('reports the deletion even when signing in afresh fails', async () => {
    const h = harness([204]);
    h.deps.startAfresh = async () => {
      throw new Error('offline');
    };
    expect(await deleteAccount(h.deps)).toEqual({ kind: 'deleted' });
  });
});

describe('clearLocalState', () => {
  it('removes only the site’s own keys, and copes with no storage', () => {
    const storage = memoryStorage({ 'reel.a': '1', 'reel.b': '2', x: '3' });
    clearLocalState(storage);
    expect([...storage.map.keys()]).toEqual(['x']);
    expect(() => clearLocalState(null)).not.toThrow();
  });
});
