/**
 * RFC 9457 problem details: every error the API answers is one of these, as
 * `application/problem+json`. `type` stays `about:blank` (the status says what kind of problem
 * it is, RFC 9457 §4.2.1); `detail` says precisely what was wrong and what to do.
 */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
}

/** The reason phrases of the statuses the API answers with (RFC 9110). */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function problemOf(status: number, detail: string): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
}

/** A refusal at the HTTP level (identity, limits, media type, method), with its headers. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

/** The response for a problem: JSON body, problem media type, and the problem's headers. */
export function problemResponse(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(problemOf(status, detail)), {
    status,
    headers: { 'Content-Type': PROBLEM_MEDIA_TYPE, 'Cache-Control': 'no-store', ...headers },
  });
}
