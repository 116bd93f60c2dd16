// Serves a built site from disk on 127.0.0.1 the way Firebase Hosting would (clean URLs,
// gzip, the cache headers of firebase.json, 404.html), for Lighthouse and browser tests.
// With an API target it forwards /api/* there, as Hosting's rewrite does to Cloud Run.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function cacheControl(path: string): string {
  if (path.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  if (path.startsWith('/data/')) return 'public, max-age=3600';
  return 'public, max-age=0, must-revalidate';
}

function resolveFile(root: string, urlPath: string): string | null {
  const clean = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, '');
  const candidates = [
    join(root, clean),
    join(root, clean, 'index.html'),
    join(root, `${clean}.html`),
  ];
  return (
    candidates.find(
      (file) => file.startsWith(root) && existsSync(file) && statSync(file).isFile(),
    ) ?? null
  );
}

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  port?: number;
  host?: string;
  /** Origin of the api function (e.g. http://127.0.0.1:8090); /api/* is forwarded to it. */
  apiTarget?: string | null;
}

export async function startStaticServer(
  root: string,
  options: StaticServerOptions = {},
): Promise<StaticServer> {
  const { port = 0, host = '127.0.0.1', apiTarget = null } = options;
  const gzipped = new Map<string, Buffer>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (apiTarget && path.startsWith('/api/')) {
      const upstream = forward(
        new URL(request.url ?? '/', apiTarget),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) =>
        response.writeHead(502).end(`API unreachable: ${error.message}`),
      );
      request.pipe(upstream);
      return;
    }
    let file = resolveFile(root, path);
    let status = 200;
    if (!file) {
      file = resolveFile(root, '/404.html');
      status = 404;
    }
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Cache-Control': cacheControl(path),
    };
    let body: Buffer = readFileSync(file);
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'])) && /text|json|svg/.test(type)) {
      // Keyed by modification time too, so a rebuild under a running server is served fresh.
      const key = `${file}:${statSync(file).mtimeMs}`;
      let zipped = gzipped.get(key);
      if (!zipped) {
        zipped = gzipSync(body);
        gzipped.set(key, zipped);
      }
      body = zipped;
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    response.writeHead(status, headers).end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
  const port = Number(process.env.PORT ?? '4321');
  const apiTarget = process.env.REEL_API_PROXY ?? 'http://127.0.0.1:8090';
  const started = await startStaticServer(normalize(root), { port, apiTarget });
  process.stderr.write(`serving ${root} at ${started.url}, /api/* → ${apiTarget}\n`);
}
