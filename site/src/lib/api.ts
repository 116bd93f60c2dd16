/** The body the site POSTs to /api/v1/ratings (the api function's RateRequest). */
export interface RatingRequest {
  eventId: string;
  movieId: number;
  /** 0.5–5 in half steps, or null to withdraw the rating. */
  rating: number | null;
  ratedAt: string;
}

export type SendOutcome =
  | { kind: 'accepted' }
  /** The server refused the rating itself (400, 413, other 4xx): resending cannot help. */
  | { kind: 'rejected'; status: number; message: string }
  /** The ID token was refused: get a fresh one and resend. */
  | { kind: 'unauthorized'; message: string }
  /** Network failure, 429 or 5xx: resend the same event later. */
  | { kind: 'retry'; message: string; retryAfterMs?: number };

/** The header the api function reads the App Check token from (functions/src/adapters/app-check.ts). */
export const APP_CHECK_HEADER = 'X-Firebase-AppCheck';

/**
 * The headers that say who calls the API: the ID token, and the App Check token when App Check
 * is on and one could be had (null otherwise: the server decides whether it needs one).
 */
export function callerHeaders(
  idToken: string,
  appCheckToken: string | null,
): Record<string, string> {
  return {
    Authorization: `Bearer ${idToken}`,
    ...(appCheckToken === null ? {} : { [APP_CHECK_HEADER]: appCheckToken }),
  };
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    // The API's errors are RFC 9457 problem details: `detail` says what was wrong.
    if (body && typeof body === 'object' && 'detail' in body && typeof body.detail === 'string') {
      return body.detail;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.trim().slice(0, 200) || `${response.status} ${response.statusText}`.trim();
}

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('Retry-After');
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** POSTs one rating and classifies the answer; never throws. */
export async function sendRating(
  fetchFn: typeof fetch,
  url: string,
  idToken: string,
  request: RatingRequest,
  appCheckToken: string | null = null,
): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { ...callerHeaders(idToken, appCheckToken), 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (error) {
    return { kind: 'retry', message: `Reel is unreachable (${(error as Error).message})` };
  }
  if (response.status === 202 || response.ok) return { kind: 'accepted' };
  const message = await errorMessage(response);
  if (response.status === 401) return { kind: 'unauthorized', message };
  if (response.status === 429) {
    const after = retryAfter(response);
    return {
      kind: 'retry',
      message: 'Too many ratings at once',
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }
  if (response.status >= 500 || response.status === 408) {
    return { kind: 'retry', message: `Reel had a problem (${response.status})` };
  }
  return { kind: 'rejected', status: response.status, message };
}
