import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { PROBLEM_MEDIA_TYPE, problemOf } from '../api/problem.js';

interface ExpressApplication {
  handle(req: IncomingMessage, res: ServerResponse, callback?: (error?: unknown) => void): void;
}

const PATCHED = Symbol.for('reel.frameworkErrorsAsProblems');

/** body-parser's errors: `type` says what went wrong, `status` the answer. */
interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/** The problem for an error raised before the function ran (what the framework's parsers throw). */
export function frameworkErrorProblem(error: unknown): { status: number; detail: string } {
  if (error === undefined) return { status: 404, detail: 'no such resource' };
  const { type, status, statusCode, expose, message = '' } = error as BodyParserError;
  const code = status ?? statusCode ?? 500;
  switch (type) {
    case 'entity.parse.failed':
      return { status: 400, detail: `body is not JSON: ${message}` };
    case 'entity.too.large':
      return { status: 413, detail: 'body is too large' };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, detail: `${message}: send UTF-8 JSON` };
    default:
      return code >= 400 && code < 500 && expose
        ? { status: code, detail: message }
        : {
            status: code >= 400 && code < 600 ? code : 500,
            detail: 'the request could not be read',
          };
  }
}

/**
 * functions-framework parses every body before the function runs (JSON by Content-Type), and
 * sends what its parsers refuse to Express's default final handler: an HTML page with the
 * stack trace and the server's file paths (GoogleCloudPlatform/functions-framework-nodejs
 * issue 686, open). It exposes no hook for this, so the final handler of the framework's own
 * Express (resolved from the framework, the instance its server uses) is replaced by one that
 * answers problem details. Call before the framework creates its server, i.e. when the
 * functions module loads.
 */
export function answerFrameworkErrorsAsProblems(): void {
  const fromFramework = createRequire(import.meta.resolve('@google-cloud/functions-framework'));
  const application = (fromFramework('express') as { application: ExpressApplication })
    .application as ExpressApplication & { [PATCHED]?: true };
  if (application[PATCHED]) return;
  const handle = application.handle;
  application.handle = function (this: ExpressApplication, req, res, callback) {
    handle.call(this, req, res, callback ?? ((error) => answer(error, req, res)));
  };
  application[PATCHED] = true;
}

function answer(error: unknown, req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  const { status, detail } = frameworkErrorProblem(error);
  // The body may be unread (a refused upload): drain it so the connection can be reused.
  req.resume();
  res.statusCode = status;
  res.setHeader('Content-Type', PROBLEM_MEDIA_TYPE);
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(problemOf(status, detail)));
}
