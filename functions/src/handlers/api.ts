import type { HttpFunction } from '@google-cloud/functions-framework';
import { getRequestListener } from '@hono/node-server';

/**
 * The api function: functions-framework's request handed to the Hono app as a fetch Request
 * (its body from the raw bytes the framework kept), the app's Response written back.
 */
export function createApi(app: {
  fetch(request: Request, env: unknown): Response | Promise<Response>;
}): HttpFunction {
  // Leave the global Request and Response alone: the Google clients share this process. The
  // Node request goes along as the app's env (`incoming`): its socket's peer is the client's
  // address when no proxy is in front.
  const listener = getRequestListener((request, env) => app.fetch(request, env), {
    overrideGlobalObjects: false,
  });
  return (req, res) => listener(req, res);
}
