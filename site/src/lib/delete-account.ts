import { callerHeaders } from './api.js';

/** Where "Delete my data" is sent: the API's `DELETE /v1/me`, same-origin (Hosting or dev proxy). */
export const DELETE_ME_URL = '/api/v1/me';

/** The prefix of every localStorage key the site writes (e.g. the pending-ratings queue). */
export const LOCAL_KEY_PREFIX = 'reel.';

export type DeleteOutcome =
  | { kind: 'deleted' }
  /** Nothing was cleared here: the person can try again. */
  | { kind: 'failed'; message: string };

export interface DeleteAccountDeps {
  fetch: typeof fetch;
  url?: string;
  /** The current ID token; `forceRefresh` after a 401. */
  idToken(forceRefresh: boolean): Promise<string>;
  /** The App Check token, or null when App Check is off or gave none. */
  appCheckToken(): Promise<string | null>;
  storage: Pick<Storage, 'length' | 'key' | 'removeItem'> | null;
  /** Signs the deleted account out of this browser and in again as a new anonymous account. */
  startAfresh(): Promise<void>;
}

async function problemMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    // RFC 9457 problem details carry `detail`; the older API `error`.
    const body = JSON.parse(text) as { detail?: unknown; title?: unknown; error?: unknown };
    for (const field of [body.detail, body.error, body.title]) {
      if (typeof field === 'string' && field !== '') return field;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return `Reel answered ${response.status}`;
}

/** Removes everything the site keeps in this browser under its prefix. */
export function clearLocalState(storage: DeleteAccountDeps['storage']): void {
  if (!storage) return;
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key?.startsWith(LOCAL_KEY_PREFIX)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}

/**
 * Deletes the person's data on the server, then leaves nothing of the old account here: local
 * state cleared, the old identity signed out and a new anonymous one signed in. Never throws.
 */
export async function deleteAccount(deps: DeleteAccountDeps): Promise<DeleteOutcome> {
  const send = async (forceRefresh: boolean) =>
    deps.fetch(deps.url ?? DELETE_ME_URL, {
      method: 'DELETE',
      headers: callerHeaders(await deps.idToken(forceRefresh), await deps.appCheckToken()),
    });
  let response: Response;
  try {
    response = await send(false);
    if (response.status === 401) response = await send(true);
  } catch (error) {
    return { kind: 'failed', message: `Reel is unreachable (${(error as Error).message})` };
  }
  if (!response.ok) return { kind: 'failed', message: await problemMessage(response) };
  clearLocalState(deps.storage);
  // The data is gone whatever happens here; a failed new sign-in is repeated by the next page.
  await deps.startAfresh().catch(() => {});
  return { kind: 'deleted' };
}
