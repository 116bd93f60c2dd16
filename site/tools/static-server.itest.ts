// The static server the bench and browser tests use must behave like Firebase Hosting where
// it matters to them: clean URLs, 404.html, gzip, cache headers, /api forwarding.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, startStaticServer } from './static-server.js';

let site: StaticServer;
const api = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    response.writeHead(202, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ path: request.url, auth: request.headers.authorization, body }));
  });
});

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'reel-static-'));
  mkdirSync(join(root, 'movies/1'), { recursive: true });
  mkdirSync(join(root, '_astro'));
  writeFileSync(join(root, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(root, 'movies/1/index.html'), '<h1>Toy Story</h1>');
  writeFileSync(join(root, '404.html'), '<h1>Nothing here</h1>');
  writeFileSync(join(root, '_astro/app.abc123.js'), 'console.log("x");'.repeat(50));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiPort = (api.address() as AddressInfo).port;
  site = await startStaticServer(root, { apiTarget: `http://127.0.0.1:${apiPort}` });
});

afterAll(async () => {
  await site?.close();
  api.close();
});

describe('startStaticServer', () => {
  it('serves clean URLs and 404.html', async () => {
    expect(await (await fetch(`${site.url}/`)).text()).toBe('<h1>home</h1>');
    const movie = await fetch(`${site.url}/movies/1/`);
    expect(movie.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(await movie.text()).toBe('<h1>Toy Story</h1>');
    expect(await (await fetch(`${site.url}/movies/1`)).text()).toBe('<h1>Toy Story</h1>');
    const missing = await fetch(`${site.url}/movies/2/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('<h1>Nothing here</h1>');
  });

  it('gzips and caches hashed assets for a year', async () => {
    const { request } = await import('node:http');
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) =>
      request(
        `${site.url}/_astro/app.abc123.js`,
        { headers: { 'Accept-Encoding': 'gzip' } },
        resolve,
      ).end(),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe('console.log("x");'.repeat(50));
  });

  it('forwards /api with its method, headers and body', async () => {
    const response = await fetch(`${site.url}/api/ratings`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{"movieId":1}',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      path: '/api/ratings',
      auth: 'Bearer t',
      body: '{"movieId":1}',
    });
  });
});
