import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { CloudEventFunction, HttpFunction } from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { adaptFramework } from '../adapters/framework-setup.js';

export interface ServedFunction {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a handler through functions-framework's own server (the Express app, body parsers
 * and Pub/Sub push → CloudEvent conversion a deployed function runs), on a free loopback port,
 * so tests send it real HTTP; the framework adapted as functions/src/index.ts adapts it.
 */
export async function serveFunction(
  handler: { http: HttpFunction } | { cloudEvent: CloudEventFunction<unknown> },
): Promise<ServedFunction> {
  adaptFramework();
  const name = `itest-${randomUUID()}`;
  if ('http' in handler) functions.http(name, handler.http);
  else functions.cloudEvent(name, handler.cloudEvent);
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The body a Pub/Sub push subscription POSTs (what the emulator and Pub/Sub send). */
export function pushBody(
  data: string | object,
  attributes: Record<string, string> = {},
  subscription = 'projects/demo-reel/subscriptions/ratings-ingest',
) {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return {
    message: {
      data: Buffer.from(text).toString('base64'),
      attributes,
      messageId: String(Math.floor(Math.random() * 1e15)),
      publishTime: new Date().toISOString(),
    },
    subscription,
  };
}

/** POSTs a push to a CloudEvent function at the path a push endpoint for `topic` has. */
export async function push(
  url: string,
  body: object,
  topic = 'projects/demo-reel/topics/ratings',
): Promise<Response> {
  return fetch(`${url}/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
