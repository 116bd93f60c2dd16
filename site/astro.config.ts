import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import { parseSiteConfig } from './src/config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const config = parseSiteConfig(process.env, repoRoot);

export default defineConfig({
  output: 'static',
  trailingSlash: 'ignore',
  build: {
    // One request fewer before first paint: the stylesheet is small and every page needs it.
    inlineStylesheets: 'always',
  },
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1', port: 4321 },
  vite: {
    define: {
      __REEL_CLIENT_CONFIG__: JSON.stringify(config.client),
      // A literal of its own, so a build without a key drops the App Check chunk altogether.
      '__REEL_CLIENT_CONFIG__.appCheckSiteKey': JSON.stringify(config.client.appCheckSiteKey),
      __REEL_REPO_ROOT__: JSON.stringify(repoRoot),
    },
    server: {
      // Firebase Hosting's /api rewrite cannot reach a local function; the dev server forwards.
      proxy: { '/api': { target: config.apiProxyTarget } },
    },
  },
});
