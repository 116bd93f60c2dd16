import type { HttpFunction } from '@google-cloud/functions-framework';
import { getRequestListener } from '@hono/node-server';

/**
 * The api function: functions-framework's request handed to the Hono app as a fetch Request
 * (its body from the raw bytes the framework kept), the app's Response written back.
 */
export function createApi(app: {
  fetch(request: Request): Response | Promise<Response>;
}): HttpFunction {
  // Leave the global Request and Response alone: the Google clients share this process.
  const listener = getRequestListener((request) => app.fetch(request), {
    overrideGlobalObjects: false,
  });
  return (req, res) => listener(req, res);
}
